import Foundation
import KafkaWire
import KafkaWireJSON
import Testing

@Suite("Conformance with the spec-driven reference corpus")
struct ConformanceTests {
    @Test("the corpus is present and well-formed")
    func corpusLoads() {
        #expect(Conformance.cases.count > 1000)
        #expect(!Conformance.cases.contains { $0.api.hasPrefix("<malformed") })
    }

    @Test("decode(hex) == json and encode(json) == hex, per API", arguments: Conformance.groups)
    func group(_ group: String) {
        var passed = 0, failed = 0, skipped = 0
        for item in Conformance.cases where item.group == group {
            if item.skipReason != nil {
                skipped += 1
                continue
            }
            let problems = Conformance.problems(item)
            if problems.isEmpty {
                passed += 1
                if knownDiscrepancy(for: item) != nil {
                    Issue.record("\(item.name) passes: remove its entry from knownDiscrepancies")
                }
            } else {
                failed += 1
                let report = "\(item.name) (corpus line \(item.line)): \(problems.joined(separator: "; "))"
                if let reason = knownDiscrepancy(for: item) {
                    withKnownIssue(Comment(rawValue: reason)) { Issue.record(Comment(rawValue: report)) }
                } else {
                    Issue.record(Comment(rawValue: report))
                }
            }
        }
        print("conformance \(group): \(passed) passed, \(failed) failed, \(skipped) skipped")
    }
}
