import Testing
@testable import Domain

@Suite struct AccountTests {
    let register = Account.Register(userId: "U1", username: sealed("alice"), usernameKey: "k1", role: .customer, passwordHash: "h", openIdKey: nil,
                                    openId: nil, now: t0)

    @Test func registeringClaimsTheUsername() throws {
        let decided = try Account.decideRegister(register, claim: UsernameClaim.initialState, Account.initialState)
        #expect(decided.claim == [.claimed(UsernameClaim.Claimed(userId: "U1"))])
        let claim = fold(UsernameClaim.initialState, decided.claim, UsernameClaim.evolve)
        #expect(throws: Rejection.alreadyExists(what: "username", id: "")) {
            try Account.decideRegister(register, claim: claim, Account.initialState)
        }
    }

    @Test func logoutRevokesEveryEarlierToken() throws {
        let account = fold(Account.initialState, try Account.decideRegister(register, claim: UsernameClaim.State(), Account.initialState).account, Account.evolve)
        let after = fold(account, try Account.decideLogout(now: t0, account), Account.evolve)
        #expect(after.tokenGeneration == account.tokenGeneration + 1)
    }

    @Test func theBootstrapAdminGetsRoleAndPassword() throws {
        let account = fold(Account.initialState, try Account.decideRegister(register, claim: UsernameClaim.State(), Account.initialState).account, Account.evolve)
        let events = Account.decideEnsureAdmin(passwordHash: "new", passwordMatches: false, now: t0, account)
        let admin = fold(account, events, Account.evolve)
        #expect(admin.role == .admin && admin.passwordHash == "new")
        #expect(Account.decideEnsureAdmin(passwordHash: "new", passwordMatches: true, now: t0, admin).isEmpty)
    }

    @Test func erasureWaitsForSettledOrdersAndCancelsUnpaidOnes() throws {
        let account = fold(Account.initialState, try Account.decideRegister(register, claim: UsernameClaim.State(), Account.initialState).account, Account.evolve)
        let unpaid = try placedOrder()
        let paidOrder = unpaid.applying([.paymentRequested(Order.PaymentRequested(paymentId: "P", amountCents: 200, nonceStr: "n", timeStamp: "1", expiresAt: t0)),
                                         .paid(Order.Paid(paymentId: "P", transactionId: "T", amountCents: 200, paidAt: "x", recordedAt: t0))])
        #expect(throws: Rejection.self) { try Erasure.decide(now: t0, account: account, orders: [unpaid, paidOrder]) }
        let outcome = try Erasure.decide(now: t0, account: account, orders: [unpaid])
        #expect(outcome.orders.map(\.orderId) == ["O1"])
        #expect(outcome.orders.first?.decision.stock.count == 1)
        #expect(outcome.claim == [.released(UsernameClaim.Released(userId: "U1"))])
        let erased = fold(account, outcome.account, Account.evolve)
        #expect(!erased.isActive)
        #expect(throws: Rejection.self) { try Erasure.decide(now: t0, account: erased, orders: []) }
    }
}

@Suite struct SupportTests {
    @Test func customersMayOnlyReferToTheirOwnOrders() throws {
        var account = Account.State()
        account.exists = true
        account.userId = "U1"
        let post = Support.Post(messageId: "M1", from: .customer, text: sealed("在吗"), orderId: "O1", agentId: nil, now: t0)
        let own = try placedOrder()
        #expect(try Support.decidePost(post, customer: account, referencedOrder: own).count == 1)
        var other = own
        other.userId = "U2"
        #expect(throws: Rejection.notFound(resource: "order", id: "O1")) { try Support.decidePost(post, customer: account, referencedOrder: other) }
        let state = fold(Support.initialState, try Support.decidePost(post, customer: account, referencedOrder: own), Support.evolve)
        #expect(state.awaitingReply)
        let reply = Support.Post(messageId: "M2", from: .agent, text: sealed("在"), orderId: nil, agentId: "A", now: t0)
        #expect(!fold(state, try Support.decidePost(reply, customer: account, referencedOrder: nil), Support.evolve).awaitingReply)
    }
}
