import SwafkacatCore
import Testing

@Suite("getopt scanning")
struct GetoptTests {
    let spec = GetoptSpec(":PCG:t:p:b:o:eqX:", longOptions: [.init("decode", takesArgument: true),
                                                             .init("decode-responses", takesArgument: false),
                                                             .init("delete-topic", takesArgument: true)])

    @Test func clustersAndAttachedArguments() {
        let result = Getopt.scan(["-qe", "-obeginning", "-t", "topic", "-Cb", "host:9092"], spec: spec)
        #expect(result.events == [.option("q", nil), .option("e", nil), .option("o", "beginning"),
                                  .option("t", "topic"), .option("C", nil), .option("b", "host:9092")])
        #expect(result.operands.isEmpty)
    }

    @Test func argumentsMayLookLikeOptions() {
        // `-p -1` is kcat's random partitioner: the word after an option that takes an argument is its argument.
        let result = Getopt.scan(["-p", "-1", "-X", "-q"], spec: spec)
        #expect(result.events == [.option("p", "-1"), .option("X", "-q")])
    }

    @Test func operandsArePermutedAsGlibcDoes() {
        let result = Getopt.scan(["-P", "file1", "-t", "x", "file2", "-", "-e"], spec: spec)
        #expect(result.events == [.option("P", nil), .option("t", "x"), .option("e", nil)])
        #expect(result.operands == ["file1", "file2", "-"])
    }

    @Test func posixlyCorrectStopsAtTheFirstOperand() {
        var strict = spec
        strict.permute = false
        let result = Getopt.scan(["-P", "file1", "-t", "x"], spec: strict)
        #expect(result.events == [.option("P", nil)])
        #expect(result.operands == ["file1", "-t", "x"])
    }

    @Test func doubleDashEndsOptions() {
        let result = Getopt.scan(["-e", "--", "-t", "x"], spec: spec)
        #expect(result.events == [.option("e", nil)])
        #expect(result.operands == ["-t", "x"])
    }

    @Test func errorsAreReportedInPlace() {
        #expect(Getopt.scan(["-e", "-y", "-q"], spec: spec).events == [.option("e", nil), .unknownOption("-y"), .option("q", nil)])
        #expect(Getopt.scan(["-qy"], spec: spec).events == [.option("q", nil), .unknownOption("-y")])
        #expect(Getopt.scan(["-b"], spec: spec).events == [.missingArgument("-b")])
        #expect(Getopt.scan(["-eb"], spec: spec).events == [.option("e", nil), .missingArgument("-b")])
    }

    @Test func longOptions() {
        #expect(Getopt.scan(["--decode", "f.bin"], spec: spec).events == [.longOption("decode", "f.bin")])
        #expect(Getopt.scan(["--decode=f.bin"], spec: spec).events == [.longOption("decode", "f.bin")])
        #expect(Getopt.scan(["--decode-r"], spec: spec).events == [.longOption("decode-responses", nil)])
        #expect(Getopt.scan(["--de"], spec: spec).events == [.ambiguousOption("--de")])
        #expect(Getopt.scan(["--nope"], spec: spec).events == [.unknownOption("--nope")])
        #expect(Getopt.scan(["--decode"], spec: spec).events == [.missingArgument("--decode")])
        #expect(Getopt.scan(["--decode-responses=x"], spec: spec).events == [.unexpectedArgument("--decode-responses")])
    }

    @Test func withoutLongOptionsDoubleDashWordsAreShortClusters() {
        // kcat has no long options: glibc reads `--help` as the characters -, h, e, l, p.
        let kcat = GetoptSpec(":he")
        #expect(Getopt.scan(["--help"], spec: kcat).events.first == .unknownOption("--"))
    }
}
