import Testing
@testable import KafkaSecurity

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct OAuthBearerTests {
    private let token = OAuthBearerToken(value: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.", expiresAtMilliseconds: 1_900_000_000_000,
                                         principalName: "alice")

    @Test func clientFirstWithoutExtensions() {
        var oauth = OAuthBearerMechanism(token: token)
        #expect(oauth.name == "OAUTHBEARER")
        #expect(oauth.start() == .send(bytes("n,,\u{1}auth=Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.\u{1}\u{1}")))
        #expect(oauth.serverMessageReceived([]) == .complete)
        #expect(oauth.token.expiresAtMilliseconds == 1_900_000_000_000)
    }

    @Test func clientFirstWithExtensionsAndAuthzid() {
        var oauth = OAuthBearerMechanism(token: OAuthBearerToken(value: "abc==", expiresAtMilliseconds: 0),
                                         extensions: ["traceId": "123", "logicalCluster": "lkc-1"],
                                         authorizationID: "bob")
        #expect(oauth.start() == .send(bytes(
            "n,a=bob,\u{1}auth=Bearer abc==\u{1}logicalCluster=lkc-1\u{1}traceId=123\u{1}\u{1}")))
    }

    @Test func serverErrorIsAcknowledgedThenReported() {
        var oauth = OAuthBearerMechanism(token: token)
        _ = oauth.start()
        let document = #"{"status":"invalid_token"}"#
        #expect(oauth.serverMessageReceived(bytes(document)) == .send([0x01]))
        #expect(oauth.serverErrorDocument == document)
        #expect(oauth.serverMessageReceived([]) == .fail(.serverReportedError(mechanism: "OAUTHBEARER", message: document)))
    }

    @Test func invalidTokensAndExtensionsAreRefused() {
        for bad in ["", "has space", "a\u{1}b", "==", "a=b", "tok\u{0}"] {
            var oauth = OAuthBearerMechanism(token: OAuthBearerToken(value: bad, expiresAtMilliseconds: 0))
            #expect(oauth.start() == .fail(.invalidCredential(field: "token", reason: "is not an RFC 6750 b64token")))
        }
        for (key, value) in [("auth", "x"), ("", "x"), ("k1", "x"), ("key", "a\u{1}b")] {
            var oauth = OAuthBearerMechanism(token: token, extensions: [key: value])
            guard case .fail(.invalidCredential) = oauth.start() else {
                Issue.record("accepted extension \(key)")
                continue
            }
        }
    }

    @Test func staticProvider() async throws {
        let provider = StaticOAuthBearerTokenProvider(token)
        #expect(try await provider.token() == token)
    }
}
