import CanonicalJSON
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The agents' inbox and a customer's conversation, a page at a time.
@Suite struct SupportRouteTests {
    @Test func theInboxIsPagedMostRecentFirstAndFilteredByAwaitingReply() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            var customers: [(token: String, userId: String)] = []
            for name in ["inbox_a", "inbox_b", "inbox_c", "inbox_d"] {
                let customer = try await api.customer(name)
                customers.append(customer)
                #expect(try await api.call(.post, "/v1/support/messages", json: ["text": .string("你好 \(name)")], token: customer.token).status == .created)
            }
            // b gets an answer, so three await one; then d writes again (still the most recent).
            #expect(try await api.call(.post, "/v1/admin/support/\(customers[1].userId)/messages", json: ["text": "您好"], token: admin).status == .created)
            #expect(try await api.call(.post, "/v1/support/messages", json: ["text": "还在吗"], token: customers[3].token).status == .created)
            try await api.settle()
            let ids = customers.map(\.userId)
            func inbox(_ query: String) async throws -> JSONValue { try await api.call(.get, "/v1/admin/support/conversations\(query)", token: admin).json }
            func userIds(_ list: JSONValue) -> [String] { list["items"]?.arrayValue?.compactMap { $0["userId"]?.stringValue } ?? [] }

            let all = try await inbox("")
            #expect(userIds(all) == [ids[3], ids[1], ids[2], ids[0]], "most recent first")
            #expect(all["page"] == 1 && all["pageSize"] == 20 && all["total"] == 4)
            #expect(all["items"]?[1]?["awaitingReply"] == false && all["items"]?[0]?["awaitingReply"] == true)

            let second = try await inbox("?pageSize=3&page=2")
            #expect(userIds(second) == [ids[0]] && second["total"] == 4 && second["page"] == 2 && second["pageSize"] == 3)
            #expect(userIds(try await inbox("?page=9")).isEmpty)

            let awaiting = try await inbox("?awaitingReply=true")
            #expect(userIds(awaiting) == [ids[3], ids[2], ids[0]] && awaiting["total"] == 3)
            #expect(userIds(try await inbox("?awaitingReply=true&pageSize=1&page=2")) == [ids[2]])
            let answered = try await inbox("?awaitingReply=false")
            #expect(userIds(answered) == [ids[1]] && answered["total"] == 1)
            #expect(userIds(try await inbox("?awaitingReply=false&page=2")).isEmpty)

            // Answering the last waiting one moves it out of the filter, not out of the inbox.
            #expect(try await api.call(.post, "/v1/admin/support/\(customers[0].userId)/messages", json: ["text": "好的"], token: admin).status == .created)
            try await api.settle()
            #expect(userIds(try await inbox("?awaitingReply=true")) == [ids[3], ids[2]])
            #expect(userIds(try await inbox("")) == [ids[0], ids[3], ids[1], ids[2]])

            for bad in ["?awaitingReply=yes", "?pageSize=0", "?pageSize=101", "?page=0"] {
                #expect(try await api.call(.get, "/v1/admin/support/conversations\(bad)", token: admin).status == .badRequest, "\(bad)")
            }
        }
    }

    @Test func aConversationIsWholeUnlessAPageIsAskedFor() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let admin = try await api.admin()
            let (token, userId) = try await api.customer("paged_talker")
            for i in 1...5 {
                let path = i == 3 ? "/v1/admin/support/\(userId)/messages" : "/v1/support/messages"
                #expect(try await api.call(.post, path, json: ["text": .string("第\(i)条")], token: i == 3 ? admin : token).status == .created)
            }
            try await api.settle()
            func thread(_ query: String) async throws -> JSONValue { try await api.call(.get, "/v1/support/messages\(query)", token: token).json }
            func texts(_ list: JSONValue) -> [String] { list["items"]?.arrayValue?.compactMap { $0["text"]?.stringValue } ?? [] }

            let whole = try await thread("")
            #expect(texts(whole) == ["第1条", "第2条", "第3条", "第4条", "第5条"], "oldest first, all of it")
            #expect(whole["total"] == nil && whole["page"] == nil && whole["pageSize"] == nil, "API.md's shape: {items}")
            #expect(whole["items"]?[2]?["from"] == "agent")

            let middle = try await thread("?pageSize=2&page=2")
            #expect(texts(middle) == ["第3条", "第4条"] && middle["page"] == 2 && middle["pageSize"] == 2 && middle["total"] == 5)
            #expect(texts(try await thread("?pageSize=2&page=3")) == ["第5条"])
            #expect(texts(try await thread("?pageSize=2&page=4")).isEmpty)
            #expect(texts(try await thread("?page=1")) == texts(whole), "page 1 of 20")

            let (stranger, _) = try await api.customer("no_messages")
            let empty = try await api.call(.get, "/v1/support/messages?page=1", token: stranger).json
            #expect(texts(empty).isEmpty && empty["total"] == 0)
            #expect(try await api.call(.get, "/v1/support/messages?pageSize=abc", token: token).status == .badRequest)
        }
    }
}
