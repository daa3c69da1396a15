/// Splits text into search tokens without a dictionary.
///
/// Latin letters and digits form lowercase words (`w:pro`); Chinese, Japanese and Korean
/// characters form single characters (`c:手`) and overlapping bigrams (`c:手机`), so any
/// substring of two or more CJK characters is found by its bigrams — `手机` finds
/// `华为智能手机 Pro`.
public enum Tokenizer {
    /// Tokens of indexed text: words, CJK unigrams and bigrams.
    public static func indexTokens(_ text: String) -> Set<String> {
        var tokens = Set<String>()
        for run in runs(text) {
            switch run {
            case .word(let word): tokens.insert("w:" + word)
            case .cjk(let characters):
                for (index, character) in characters.enumerated() {
                    tokens.insert("c:" + String(character))
                    if index + 1 < characters.count { tokens.insert("c:" + String(character) + String(characters[index + 1])) }
                }
            }
        }
        return tokens
    }

    /// What one query term requires: every token must match. A Latin word matches any
    /// indexed word it prefixes; a CJK run matches through its bigrams (a lone character
    /// through its unigram).
    public static func queryTokens(_ term: String) -> [QueryToken] {
        var required: [QueryToken] = []
        for run in runs(term) {
            switch run {
            case .word(let word): required.append(.prefix("w:" + word))
            case .cjk(let characters):
                if characters.count == 1 {
                    required.append(.exact("c:" + String(characters[0])))
                } else {
                    for index in 0..<(characters.count - 1) {
                        required.append(.exact("c:" + String(characters[index]) + String(characters[index + 1])))
                    }
                }
            }
        }
        return required
    }

    public enum QueryToken: Hashable, Sendable {
        case exact(String)
        case prefix(String)
    }

    /// A word is indexed (and looked up) by at most its first this many bytes: a posting key
    /// holds the token, and LMDB refuses keys over 511 bytes — a refused put would stop the
    /// search projection at that product for good. Real words are far shorter; a longer one is
    /// still found by its first 100 bytes, and by any prefix of them.
    static let maxWordBytes = 100

    enum Run {
        case word(String)
        case cjk([Character])
    }

    static func runs(_ text: String) -> [Run] {
        var runs: [Run] = []
        var word = ""
        var wordBytes = 0
        var cjk: [Character] = []
        func flush() {
            if !word.isEmpty { runs.append(.word(word)) }
            if !cjk.isEmpty { runs.append(.cjk(cjk)) }
            word = ""
            wordBytes = 0
            cjk = []
        }
        for character in text.lowercased() {
            if isCJK(character) {
                if !word.isEmpty {
                    runs.append(.word(word))
                    word = ""
                    wordBytes = 0
                }
                cjk.append(character)
            } else if character.isLetter || character.isNumber {
                if !cjk.isEmpty {
                    runs.append(.cjk(cjk))
                    cjk = []
                }
                let bytes = character.utf8.count
                if wordBytes + bytes <= maxWordBytes {
                    word.append(character)
                    wordBytes += bytes
                }
            } else {
                flush()
            }
        }
        flush()
        return runs
    }

    static func isCJK(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        switch scalar.value {
        case 0x3040...0x30FF,  // Hiragana, Katakana
             0x3400...0x4DBF,  // CJK Extension A
             0x4E00...0x9FFF,  // CJK Unified Ideographs
             0xAC00...0xD7AF,  // Hangul syllables
             0xF900...0xFAFF,  // CJK Compatibility Ideographs
             0x20000...0x2FA1F:  // Extensions B–F, compatibility supplement
            return true
        default:
            return false
        }
    }
}
