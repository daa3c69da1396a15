/// Personal data as it travels through events and read models: AES-256-GCM ciphertext under
/// the owner's data key, never the clear text.
///
/// The domain only carries it; sealing and opening happen in the application layer (the
/// domain knows no crypto). Erasing the owner destroys the key, after which a sealed value
/// can no longer be opened anywhere and reads as `"[erased]"`.
public struct Sealed: Sendable, Hashable, Codable {
    /// Which data key sealed it (`<userId>/<n>`).
    public let keyId: String
    /// The 96-bit GCM nonce, base64url.
    public let nonce: String
    /// Ciphertext followed by the 128-bit tag, base64url.
    public let ciphertext: String

    public init(keyId: String, nonce: String, ciphertext: String) {
        self.keyId = keyId
        self.nonce = nonce
        self.ciphertext = ciphertext
    }

    /// The text shown wherever an erased person's data used to be.
    public static let erasedText = "[erased]"

    /// Stands in for a sealed value whose ciphertext a read model has scrubbed: it keeps the
    /// fact that there was a value (it shows as `[erased]`), not the value.
    public static let scrubbed = Sealed(keyId: "erased", nonce: "", ciphertext: "")
}
