import SwafkacatCore

/// `--decode FILE`: every frame of a capture file as a JSON line (see `FrameFile` for how requests
/// and responses are told apart, and `FrameDecoder` for the line). A frame that does not decode is
/// reported on its line and on stderr; decoding goes on, and the exit status is then 1.
struct DecodeMode {
    let runner: Runner
    let path: String

    func run() -> Int32 {
        let bytes: [UInt8]
        switch readBinaryFile(path) {
        case let .success(contents): bytes = contents
        case let .failure(error): return runner.fatal("Failed to open \(path): \(error.message)")
        }
        let decoder = FrameDecoder(options: runner.invocation.decodeOptions)
        var classifier: FrameClassifier
        do {
            classifier = try decoder.classifier()
        } catch {
            return runner.fatal(error.message)
        }
        let (frames, splitError) = FrameFile.split(bytes)
        var status: Int32 = 0
        for frame in frames {
            let (json, decoded) = decoder.render(classifier.classify(frame))
            guard Output.write(decoder.line(json)) else { return runner.fatal("Output write error") }
            if !decoded {
                status = 1
                Output.flush()
                Output.error("% ERROR: frame \(frame.index) at byte \(frame.offset) did not decode\n")
            }
        }
        if let splitError {
            Output.flush()
            Output.error("% ERROR: \(path): \(splitError)\n")
            status = 1
        }
        runner.info(2, "Decoded \(frames.count) frames from \(path)")
        return Output.flush() ? status : runner.fatal("Output write error")
    }
}
