import KafkaWire
import Testing

/// Compressed bytes made by other tools, each decoding to `payload` unless its comment says
/// otherwise. `payload.txt` is the 536 bytes of `KnownVectors.payload`, written with
///
///     python3 -c "import sys; sys.stdout.buffer.write(b''.join(
///         b'Swafka vector line %02d: the quick brown fox jumps over the lazy dog\\n' % i for i in range(8)))"
///
/// The python tools ran in a venv: `pip install kafka-python lz4 xxhash python-snappy`; each
/// vector was printed with `binascii.hexlify` (or `xxd -p` for files).
enum KnownVectors {
    /// The uncompressed content of the vectors.
    static let payload: [UInt8] = (0..<8).flatMap { line in
        Array("Swafka vector line \(line < 10 ? "0" : "")\(line): the quick brown fox jumps over the lazy dog\n".utf8)
    }

    /// `gzip -9 -n -c payload.txt` (GNU gzip 1.12).
    static let gzipCLI = """
        1f8b08000000000002030b2e4f4ccb4e54284b4d2ec92f52c8c9cc4b553030b05228c94855282ccd4cce56482aca2fcf5348
        cbaf50c82acd2d2856c82f4b2d024be72456552aa4e4a773056331c29072238c2837c29872234c2837c2947223cc2837c29c
        342300a787f51718020000
        """

    /// `lz4 -c payload.txt` (lz4 CLI v1.9.4): FLG 0x64 = independent blocks + content checksum.
    static let lz4CLI = """
        04224d186440a76f000000f126537761666b6120766563746f72206c696e652030303a2074686520717569636b2062726f77
        6e20666f78206a756d7073206f7665721f009f6c617a7920646f670a4300011f3143002f1f3243002f1f3343002f1f344300
        2f1f3543002f1f3643002f1f374300165020646f670a000000009a42bb85
        """

    /// `lz4 -c --content-size -BX -BD payload.txt` (lz4 CLI v1.9.4): FLG 0x7C = independent blocks (one
    /// block, so -BD changes nothing), block checksums, content size, content checksum.
    static let lz4CLISized = """
        04224d187c401802000000000000e76f000000f126537761666b6120766563746f72206c696e652030303a20746865207175
        69636b2062726f776e20666f78206a756d7073206f7665721f009f6c617a7920646f670a4300011f3143002f1f3243002f1f
        3343002f1f3443002f1f3543002f1f3643002f1f374300165020646f670ab40428d1000000009a42bb85
        """

    /// `kafka.codec.lz4_encode_old_kafka(payload)` (kafka-python 3.0.12, python lz4 4.4.5 on liblz4 1.9.4):
    /// the magic-0 frame, header `04 22 4D 18 60 40 1A`: content size dropped, HC = 0x1A, the broken checksum.
    static let lz4KafkaPythonOld = """
        04224d1860401a6f000000f126537761666b6120766563746f72206c696e652030303a2074686520717569636b2062726f77
        6e20666f78206a756d7073206f7665721f009f6c617a7920646f670a4300011f3143002f1f3243002f1f3343002f1f344300
        2f1f3543002f1f3643002f1f374300165020646f670a00000000
        """

    /// `kafka.codec.lz4_encode(payload)` (kafka-python 3.0.12): FLG 0x68 = independent blocks + content size,
    /// correct HC.
    static let lz4KafkaPython = """
        04224d1868401802000000000000f96f000000f126537761666b6120766563746f72206c696e652030303a20746865207175
        69636b2062726f776e20666f78206a756d7073206f7665721f009f6c617a7920646f670a4300011f3143002f1f3243002f1f
        3343002f1f3443002f1f3543002f1f3643002f1f374300165020646f670a00000000
        """

    /// `snappy.compress(payload)` (python-snappy 0.7.3): one raw snappy block.
    static let snappyRaw = """
        9804d0537761666b6120766563746f72206c696e652030303a2074686520717569636b2062726f776e20666f78206a756d70
        73206f766572051f206c617a7920646f670a4e43000031ee430009430032ee430009430033ee430009430034ee4300094300
        35ee430009430036ee430009430037b64300
        """

    /// `kafka.codec.snappy_encode(payload)` (kafka-python 3.0.12): xerial header, then one block (the payload
    /// is under the 32 KiB block size).
    static let snappyXerial = """
        82534e41505059000000000100000001000000769804d0537761666b6120766563746f72206c696e652030303a2074686520
        717569636b2062726f776e20666f78206a756d7073206f766572051f206c617a7920646f670a4e43000031ee430009430032
        ee430009430033ee430009430034ee430009430035ee430009430036ee430009430037b64300
        """

    /// `kafka.codec.snappy_encode(payload, xerial_blocksize=128)` (kafka-python 3.0.12): xerial, five blocks.
    static let snappyXerial128 = """
        82534e415050590000000001000000010000004c8001d0537761666b6120766563746f72206c696e652030303a2074686520
        717569636b2062726f776e20666f78206a756d7073206f766572051f206c617a7920646f670a4e430000319e43000000004c
        8001e87920646f670a537761666b6120766563746f72206c696e652030323a2074686520717569636b2062726f776e20666f
        78206a756d7073206f766572051f086c617a6643000033864300000000508001f0436865206c617a7920646f670a53776166
        6b6120766563746f72206c696e652030343a2074686520717569636b2062726f776e20666f78206a756d7073206f76657220
        74687a430000356e43000000004d8001a06f76657220746865206c617a7920646f670a537761666b6120766563746f72206c
        696e652030363a20012454717569636b2062726f776e20666f78206a756d70732096430000375643000000001a185c6a756d
        7073206f76657220746865206c617a7920646f670a
        """

    /// `zstd -q -c payload.txt` (zstd CLI v1.5.4): with a content size and an XXH64 checksum.
    static let zstdCLI = """
        28b52ffd641801fd02005404537761666b6120766563746f72206c696e652030303a2074686520717569636b2062726f776e
        20666f78206a756d7073206f7665726c617a7920646f670a31323334353637090003530ea43b90d8812407d21d48ec200923
        d0534250504a854a3c
        """

    /// `cat payload.txt | zstd -q -c` (zstd CLI v1.5.4): from a pipe, so no content size in the header
    /// (`zstd -lv` shows none), window 2 MiB, XXH64 checksum.
    static let zstdCLIStreamed = """
        28b52ffd0458fd02005404537761666b6120766563746f72206c696e652030303a2074686520717569636b2062726f776e20
        666f78206a756d7073206f7665726c617a7920646f670a31323334353637090003530ea43b90d8812407d21d48ec200923d0
        534250504a854a3c
        """

    /// `head -c 10485760 /dev/zero | zstd -q --no-check -1 -c` (zstd CLI v1.5.4): 10 MiB of zeros in 366
    /// bytes, no content size: a zip bomb that only streaming with a limit can stop.
    static let zstdStreamedZeros = """
        28b52ffd00485400001000000100fbff39c00202001000020010000200100002001000020010000200100002001000020010
        0002001000020010000200100002001000020010000200100002001000440000000100fdffcd0b1002001000020010000200
        1000020010000200100002001000020010000200100002001000020010000200100002001000020010000200100002001000
        440000000100fdffcd0b10020010000200100002001000020010000200100002001000020010000200100002001000020010
        000200100002001000020010000200100002001000440000000100fdffcd0b10020010000200100002001000020010000200
        100002001000020010000200100002001000020010000200100002001000020010000200100002001000440000000100fdff
        cd0b100200100002001000020010000200100002001000020010000200100002001000020010000200100002001000020010
        00020010000200100002001000010000
        """

    /// A vector, the codec and record format to decode it with, and what it decodes to.
    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var codec: CompressionCodec
        var magic: Int8
        var hex: String
        var decoded: [UInt8]
        var testDescription: String { name }
    }

    /// Every vector that decodes to `payload` (the zstd bomb is tested on its own).
    static let all: [Vector] = [
        Vector(name: "gzip CLI", codec: .gzip, magic: 2, hex: gzipCLI, decoded: payload),
        Vector(name: "lz4 CLI", codec: .lz4, magic: 2, hex: lz4CLI, decoded: payload),
        Vector(name: "lz4 CLI, content size and block checksums", codec: .lz4, magic: 2, hex: lz4CLISized,
               decoded: payload),
        Vector(name: "lz4 kafka-python, magic 0", codec: .lz4, magic: 0, hex: lz4KafkaPythonOld, decoded: payload),
        Vector(name: "lz4 kafka-python, magic 1", codec: .lz4, magic: 1, hex: lz4KafkaPython, decoded: payload),
        Vector(name: "snappy raw", codec: .snappy, magic: 2, hex: snappyRaw, decoded: payload),
        Vector(name: "snappy xerial", codec: .snappy, magic: 2, hex: snappyXerial, decoded: payload),
        Vector(name: "snappy xerial, 128-byte blocks", codec: .snappy, magic: 2, hex: snappyXerial128,
               decoded: payload),
        Vector(name: "zstd CLI", codec: .zstd, magic: 2, hex: zstdCLI, decoded: payload),
        Vector(name: "zstd CLI, streamed", codec: .zstd, magic: 2, hex: zstdCLIStreamed, decoded: payload),
    ]
}
