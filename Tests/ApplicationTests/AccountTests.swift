import Application
import Domain
import EventStore
import Foundation
import TestSupport
import Testing

@Suite struct AccountTests {
    @Test func registerLoginAndTokens() async throws {
        let app = try await Harness()
        defer { app.close() }
        let session = try await app.accounts.register(username: "Alice_1", password: "correct horse", metadata: app.meta())
        #expect(session.role == .customer)
        #expect(try app.accounts.authenticate(session.token) == AccountService.Principal(userId: session.userId, role: .customer))
        // Unique ignoring case; login ignores case too and keeps the name as given.
        await #expect(throws: Rejection.alreadyExists(what: "username", id: "alice_1")) {
            try await app.accounts.register(username: "alice_1", password: "whatever1", metadata: app.meta())
        }
        let login = try await app.accounts.login(username: "ALICE_1", password: "correct horse")
        #expect(login.userId == session.userId && login.username == "Alice_1")
        await #expect(throws: AccountService.Failure.unauthorized) { try await app.accounts.login(username: "alice_1", password: "wrong") }
        await #expect(throws: AccountService.Failure.unauthorized) { try await app.accounts.login(username: "nobody", password: "wrong") }
    }

    @Test func forgedExpiredAndRevokedTokensAreRefused() async throws {
        let app = try await Harness()
        defer { app.close() }
        let session = try await app.accounts.register(username: "bob", password: "password1", metadata: app.meta())
        var forged = Array(session.token)
        forged[forged.count - 3] = forged[forged.count - 3] == "A" ? "B" : "A"
        #expect(throws: AccountService.Failure.unauthorized) { try app.accounts.authenticate(String(forged)) }
        #expect(throws: AccountService.Failure.unauthorized) { try app.accounts.authenticate("garbage") }
        let second = try await app.accounts.login(username: "bob", password: "password1")
        _ = try await app.accounts.logout(userId: session.userId, metadata: app.meta())
        #expect(throws: AccountService.Failure.unauthorized) { try app.accounts.authenticate(session.token) }
        #expect(throws: AccountService.Failure.unauthorized) { try app.accounts.authenticate(second.token) }
        let fresh = try await app.accounts.login(username: "bob", password: "password1")
        #expect(try app.accounts.authenticate(fresh.token).userId == session.userId)
        app.clock.advance(seconds: 7 * 86_400 + 1)
        #expect(throws: AccountService.Failure.unauthorized) { try app.accounts.authenticate(fresh.token) }
    }

    /// Only `v1.<claims>.<signature>` with the server's signature over `v1.<claims>` verifies:
    /// not another version, a dot more or less, empty parts, a signature moved to other claims,
    /// anything over 1 KiB, or a second spelling of the signature.
    @Test func onlyWellFormedSignedTokensVerify() throws {
        let signer = TokenSigner(secret: Array("token-secret".utf8))
        let now = Timestamp(millis: 1_795_000_000_000)
        let token = signer.issue(userId: "U1", generation: 2, now: now)
        let claims = signer.verify(token, now: now)
        #expect(claims?.userId == "U1" && claims?.generation == 2 && claims?.issuedAt == now.unixSeconds
            && claims?.expiresAt == now.unixSeconds + signer.lifetimeSeconds)
        let parts = token.split(separator: ".").map(String.init)
        let other = signer.issue(userId: "U2", generation: 2, now: now).split(separator: ".").map(String.init)
        for bad in ["v2.\(parts[1]).\(parts[2])", "\(token).", ".\(token)", "v1.\(parts[1])", "v1..\(parts[2])", "v1.\(parts[1]).",
                    "v1.\(parts[1]).\(parts[2]).\(parts[2])", "v1.\(other[1]).\(parts[2])", "v1\(parts[1]).\(parts[2])", "v1.", "", "...",
                    "v1.\(parts[1]).\(parts[2])" + String(repeating: "A", count: 1024)] {
            #expect(signer.verify(bad, now: now) == nil, "\(bad)")
        }
        #expect(TokenSigner(secret: Array("other".utf8)).verify(token, now: now) == nil)
        // The signature's last character carries two unused bits: another character that
        // differs only there decodes to the same bytes, and must not be a second spelling.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let last = try #require(parts[2].last.flatMap { alphabet.firstIndex(of: $0) })
        #expect(last % 4 == 0)
        let respelled = "v1.\(parts[1]).\(parts[2].dropLast())\(alphabet[last + 1])"
        #expect(signer.verify(respelled, now: now) == nil)
    }

    @Test func theBootstrapAdminIsCreatedAndKeptInLine() async throws {
        let app = try await Harness()
        defer { app.close() }
        try await app.accounts.ensureAdmin(password: "admin-pass-1")
        let login = try await app.accounts.login(username: "admin", password: "admin-pass-1")
        #expect(login.role == .admin)
        try await app.accounts.ensureAdmin(password: "admin-pass-2")
        await #expect(throws: AccountService.Failure.unauthorized) { try await app.accounts.login(username: "admin", password: "admin-pass-1") }
        #expect(try await app.accounts.login(username: "admin", password: "admin-pass-2").role == .admin)
    }

    @Test func wechatSignInFindsOrCreates() async throws {
        let app = try await Harness()
        defer { app.close() }
        let first = try await app.accounts.signIn(openId: "oABC123", metadata: app.meta())
        #expect(first.created)
        #expect(first.session.username.hasPrefix("wx_"))
        let second = try await app.accounts.signIn(openId: "oABC123", metadata: app.meta())
        #expect(!second.created && second.session.userId == first.session.userId)
    }

    /// A directory that has seen nothing (a restarted server's) folds each account, username
    /// claim and WeChat link from the log, and answers as the one the writer kept current.
    @Test func aColdDirectoryFoldsAccountsNamesAndLinksFromTheLog() async throws {
        let app = try await Harness()
        defer { app.close() }
        let frank = try await app.accounts.register(username: "frank", password: "password1", metadata: app.meta())
        let revoked = try await app.accounts.login(username: "frank", password: "password1")
        _ = try await app.accounts.logout(userId: frank.userId, metadata: app.meta())
        let wechat = try await app.accounts.signIn(openId: "oCOLD1", metadata: app.meta())

        let cold = AccountService(processor: app.processor, vault: app.vault, directory: AccountDirectory(store: app.store),
                                  hasher: PasswordHasher(iterations: 1000, pool: app.pool), tokens: TokenSigner(secret: Array("test-secret".utf8)))
        let folded = try #require(try cold.account(frank.userId))
        #expect(folded == (try app.accounts.account(frank.userId)))
        #expect(folded.tokenGeneration == 1)
        #expect(throws: AccountService.Failure.unauthorized) { try cold.authenticate(revoked.token) }
        let login = try await cold.login(username: "FRANK", password: "password1")
        #expect(login.userId == frank.userId)
        #expect(try cold.authenticate(login.token).userId == frank.userId)
        let again = try await cold.signIn(openId: "oCOLD1", metadata: app.meta())
        #expect(!again.created && again.session.userId == wechat.session.userId)
        #expect(try cold.account("U-nobody") == nil)
    }
}

@Suite struct PrivacyTests {
    @Test func erasureDestroysTheKeyAndFreesTheName() async throws {
        let app = try await Harness()
        defer { app.close() }
        try await app.seedProduct(stock: 5)
        let session = try await app.accounts.register(username: "carol", password: "password1", metadata: app.meta())
        let order = try await app.place(userId: session.userId, lines: [RequestedLine(skuId: "S1", quantity: 1)])
        let address = try #require(order.order.address)
        #expect(app.vault.openAddress(address).line1 == "长安街1号")
        await #expect(throws: AccountService.Failure.unauthorized) { try await app.accounts.erase(userId: session.userId, password: "wrong", metadata: app.meta()) }
        _ = try await app.accounts.erase(userId: session.userId, password: "password1", metadata: app.meta())
        #expect(app.vault.openAddress(address) == .erased)
        #expect(try app.order(order.order.orderId).status == .cancelled)
        #expect(try app.order(order.order.orderId).history.last?.reason == "account_erased")
        #expect(try app.sku("S1").available == 5)
        #expect(throws: AccountService.Failure.unauthorized) { try app.accounts.authenticate(session.token) }
        await #expect(throws: AccountService.Failure.unauthorized) { try await app.accounts.login(username: "carol", password: "password1") }
        let again = try await app.accounts.register(username: "Carol", password: "password2", metadata: app.meta())
        #expect(again.userId != session.userId)
        guard case .verified = try app.store.verify() else {
            Issue.record("the chain must still verify after erasure")
            return
        }
    }

    @Test func erasureWaitsForPaidOrders() async throws {
        let app = try await Harness()
        defer { app.close() }
        try await app.seedProduct(stock: 5)
        let session = try await app.accounts.register(username: "dave", password: "password1", metadata: app.meta())
        let id = try await app.place(userId: session.userId, lines: [RequestedLine(skuId: "S1", quantity: 1)]).order.orderId
        _ = try await app.processor.act(on: id, .requestPayment(paymentId: "P", nonceStr: "n"), userId: session.userId, metadata: app.meta())
        _ = try await app.processor.recordPayment(orderId: id, paymentId: "P", transactionId: "T", amountCents: 100, paidAt: "x", metadata: app.meta())
        await #expect(throws: Rejection.self) { try await app.accounts.erase(userId: session.userId, password: "password1", metadata: app.meta()) }
    }

    @Test func aWrongOrMissingMasterKeyRefusesToStart() async throws {
        let dir = TemporaryDirectory()
        do {
            let app = try await Harness(dir: dir)
            _ = try await app.accounts.register(username: "erin", password: "password1", metadata: app.meta())
            app.close()
        }
        var configuration = EventStore.Configuration()
        configuration.sideTables = PersonalDataVault.sideTables
        let store = try EventStore(directory: dir.path + "/events", configuration: configuration)
        defer { store.close() }
        await #expect(throws: PersonalDataVault.Failure.wrongMasterKey) {
            try await PersonalDataVault(store: store, masterKey: [UInt8](repeating: 7, count: 32))
        }
        #expect(throws: PersonalDataVault.Failure.self) {
            try PersonalDataVault.masterKey(dataDirectory: dir.path, environmentValue: nil, keyStoreIsEmpty: false)
        }
        #expect(throws: PersonalDataVault.Failure.malformedMasterKey) {
            try PersonalDataVault.masterKey(dataDirectory: dir.path, environmentValue: "short", keyStoreIsEmpty: true)
        }
    }

    @Test func noFileHoldsPersonalDataInTheClear() async throws {
        let app = try await Harness()
        try await app.seedProduct(stock: 5)
        let session = try await app.accounts.register(username: "frank_unique_name", password: "password1", metadata: app.meta())
        let order = try await app.place(userId: session.userId, lines: [RequestedLine(skuId: "S1", quantity: 1)])
        _ = try await app.processor.postSupportMessage(customerId: session.userId, Support.Post(
            messageId: "M1", from: .customer, text: try app.vault.seal("我的快递 secret-message-text 在哪里", for: session.userId), orderId: order.order.orderId,
            agentId: nil, now: app.clock.now()), metadata: app.meta())
        app.close()
        for needle in ["长安街1号", "secret-message-text", "frank_unique_name", "13800138000"] {
            #expect(try !directoryContains(app.dir.path, needle), "\(needle) found in the clear")
        }
    }
}

