import Foundation
import KafkaWire
import Testing

/// One input that once crashed a fuzz target, kept in `FuzzCrashers/<target>/`.
struct FuzzCrasher: Sendable, CustomTestStringConvertible {
    let target: FuzzTarget
    let name: String
    let bytes: [UInt8]

    var testDescription: String { "\(target.rawValue)/\(name)" }
}

/// Regular files of a crasher folder, by target folder name and file name; READMEs and dotfiles aside.
func crasherFiles(under root: URL) -> [String: [String: [UInt8]]] {
    let manager = FileManager.default
    var result: [String: [String: [UInt8]]] = [:]
    let folders = (try? manager.contentsOfDirectory(atPath: root.path)) ?? []
    for folder in folders where !folder.hasPrefix(".") {
        let directory = root.appendingPathComponent(folder)
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
        var files: [String: [UInt8]] = [:]
        for name in (try? manager.contentsOfDirectory(atPath: directory.path)) ?? [] where !name.hasPrefix(".") {
            if let data = manager.contents(atPath: directory.appendingPathComponent(name).path) { files[name] = Array(data) }
        }
        result[folder] = files
    }
    return result
}

/// The crasher folder copied into the test bundle.
let bundledCrasherRoot = Bundle.module.url(forResource: "FuzzCrashers", withExtension: nil)

/// Every bundled crasher of a known target, sorted by target and name.
let fuzzCrashers: [FuzzCrasher] = {
    guard let root = bundledCrasherRoot else { return [] }
    return crasherFiles(under: root).flatMap { folder, files in
        FuzzTarget(rawValue: folder).map { target in
            files.map { FuzzCrasher(target: target, name: $0.key, bytes: $0.value) }
        } ?? []
    }.sorted { ($0.target.rawValue, $0.name) < ($1.target.rawValue, $1.name) }
}()

/// Replays the inputs that crashed the libFuzzer targets in Fuzz/ through the same checks
/// (Support/FuzzChecks.swift): decoding must throw or succeed without trapping, and what
/// decodes must survive decode-encode-decode unchanged. A regression traps this test process,
/// as it did the fuzzer.
@Suite("Fuzz crashers replay")
struct FuzzCrasherReplayTests {
    @Test("crasher passes its target's checks", arguments: fuzzCrashers)
    func replay(_ crasher: FuzzCrasher) {
        #expect(throws: Never.self) { try FuzzChecks.run(crasher.target, crasher.bytes) }
    }

    @Test("every crasher folder names a fuzz target")
    func foldersAreTargets() throws {
        let root = try #require(bundledCrasherRoot, "FuzzCrashers is not in the test bundle")
        for folder in crasherFiles(under: root).keys {
            #expect(FuzzTarget(rawValue: folder) != nil, "FuzzCrashers/\(folder) is not a fuzz target")
        }
    }

    @Test("FuzzCrashers holds the same files as Fuzz/crashers")
    func copyIsCurrent() throws {
        let bundled = crasherFiles(under: try #require(bundledCrasherRoot))
        // Tests/KafkaWireTests/<this file> -> the package root; skipped when the sources are not at hand.
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let kept = packageRoot.appendingPathComponent("Fuzz/crashers")
        guard FileManager.default.fileExists(atPath: kept.path) else { return }
        let source = crasherFiles(under: kept)
        for (folder, files) in source {
            for (name, bytes) in files {
                let copied = bundled[folder]?[name] == bytes  // a Bool, so a failure does not print the bytes
                #expect(copied, "Fuzz/crashers/\(folder)/\(name) is missing from or differs in Tests/KafkaWireTests/FuzzCrashers")
            }
        }
        for (folder, files) in bundled {
            for name in files.keys {
                #expect(source[folder]?[name] != nil, "FuzzCrashers/\(folder)/\(name) is not in Fuzz/crashers")
            }
        }
    }
}
