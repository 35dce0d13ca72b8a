#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Bytes read from a file descriptor on a thread of their own (a blocking `read` must not hold one
/// of the few threads Swift concurrency runs on), handed over in chunks as they arrive; at most a few
/// chunks wait unread, so a fast input does not fill memory while the producer is slower.
enum InputChunks {
    /// One read.
    enum Chunk: Sendable {
        /// Bytes (never empty).
        case bytes([UInt8])
        /// `read` failed; `strerror(errno)`.
        case failed(String)
    }

    /// The chunks of `descriptor` until its end (or a failed read, reported as the last element).
    static func read(_ descriptor: Int32, chunkSize: Int = 64 * 1024) -> Sequence {
        let (stream, continuation) = AsyncStream<Chunk>.makeStream()
        let room = Room(4)
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: chunkSize)
            while true {
                room.take()
                let count = buffer.withUnsafeMutableBytes { raw in
                    #if canImport(Glibc)
                    Glibc.read(descriptor, raw.baseAddress, raw.count)
                    #else
                    Darwin.read(descriptor, raw.baseAddress, raw.count)
                    #endif
                }
                if count > 0 {
                    continuation.yield(.bytes(Array(buffer[0..<count])))
                } else if count == 0 {
                    break
                } else if errno != EINTR {
                    continuation.yield(.failed(String(cString: strerror(errno))))
                    break
                } else {
                    room.give()
                }
            }
            continuation.finish()
        }
        reader.start()
        // A stop signal ends the input where it stands (the reader may be blocked in `read`).
        RunStop.shared.onStop { continuation.finish() }
        return Sequence(stream: stream, room: room)
    }

    /// Places for chunks read and not yet taken (a counting semaphore that may be released while
    /// the reader waits on it, which a dispatch semaphore does not allow).
    final class Room: Sendable {
        private let condition = NSCondition()
        nonisolated(unsafe) private var free: Int

        init(_ free: Int) { self.free = free }

        /// Waits for a free place and takes it.
        func take() {
            condition.lock()
            while free == 0 { condition.wait() }
            free -= 1
            condition.unlock()
        }

        /// Gives a place back.
        func give() {
            condition.lock()
            free += 1
            condition.signal()
            condition.unlock()
        }
    }

    /// The chunks; each one taken makes room for the reader to read another.
    struct Sequence: AsyncSequence, Sendable {
        typealias Element = Chunk
        let stream: AsyncStream<Chunk>
        let room: Room

        func makeAsyncIterator() -> Iterator { Iterator(base: stream.makeAsyncIterator(), room: room) }

        struct Iterator: AsyncIteratorProtocol {
            var base: AsyncStream<Chunk>.Iterator
            let room: Room

            mutating func next() async -> Chunk? {
                let chunk = await base.next()
                room.give()
                return chunk
            }
        }
    }
}
