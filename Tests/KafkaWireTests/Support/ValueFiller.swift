import KafkaWire

/// A visitor that puts a non-default value into every field present at its version,
/// so a round trip exercises every field. Values come from a seeded generator so a
/// failure can be replayed from the seed the test prints.
struct ValueFiller: FieldVisitor {
    let version: Int16
    var rng: SplitMix64
    /// Elements put into each array.
    var arrayLength = 2
    /// How deep nested structs have been filled (guards against recursive specs).
    var depth = 0

    init(version: Int16, seed: UInt64) {
        self.version = version
        self.rng = SplitMix64(seed: seed)
    }

    func present(_ field: FieldSpec) -> Bool { field.versions.contains(version) }

    mutating func nonDefault<T: WireScalar>(_: T.Type, differentFrom defaultValue: T) -> T {
        for attempt in 0..<8 {
            let n = rng.next()
            let candidate: T?
            switch T.scalarKind {
            case .bool: candidate = T(scalarValue: .bool(true))
            case .int:
                // Small values, then sign and width variety; the first that fits and differs wins.
                let choices: [Int64] = [Int64(n % 120) + 1, -Int64(n % 100) - 2, Int64(n % 30_000) + 200,
                                        Int64(truncatingIfNeeded: n >> 1), Int64(n % 60_000) + 1, 7]
                candidate = choices.lazy.compactMap { T(scalarValue: .int($0)) }.first { $0 != defaultValue }
            case .float: candidate = T(scalarValue: .float(Double(n % 1000) / 8 + 0.5))
            case .string: candidate = T(scalarValue: .string("s\(n % 1000)-é"))
            case .bytes: candidate = T(scalarValue: .bytes(ByteSlice([UInt8(truncatingIfNeeded: n), 0, 0xFF, UInt8(attempt)])))
            case .uuid: candidate = T(scalarValue: .uuid(KafkaUUID(high: n | 1, low: rng.next())))
            }
            if let candidate, candidate != defaultValue { return candidate }
        }
        return defaultValue
    }

    mutating func scalar<T: WireScalar>(_ field: FieldSpec, _ value: inout T, default: T) throws {
        guard present(field) else { return }
        value = nonDefault(T.self, differentFrom: `default`)
    }

    mutating func nullableScalar<T: WireNullableScalar>(_ field: FieldSpec, _ value: inout T?, default: T?) throws {
        guard present(field) else { return }
        value = nonDefault(T.self, differentFrom: `default` ?? T.zero)
    }

    mutating func records(_ field: FieldSpec, _ value: inout ByteSlice?) throws {
        guard present(field) else { return }
        value = ByteSlice([1, 2, 3, UInt8(truncatingIfNeeded: rng.next())])
    }

    mutating func structure<T: KafkaStruct>(_ field: FieldSpec, _ value: inout T) throws {
        guard present(field), depth < 8 else { return }
        depth += 1
        defer { depth -= 1 }
        var element = T()
        try element.visitFields(&self)
        value = element
    }

    mutating func structArray<T: KafkaStruct>(_ field: FieldSpec, _ value: inout [T]?, default: [T]?) throws {
        guard present(field), depth < 8 else { return }
        depth += 1
        defer { depth -= 1 }
        var elements = [T]()
        for _ in 0..<arrayLength {
            var element = T()
            try element.visitFields(&self)
            elements.append(element)
        }
        value = elements
    }

    mutating func scalarArray<T: WireScalar>(_ field: FieldSpec, _ value: inout [T]?, default: [T]?) throws {
        guard present(field) else { return }
        value = (0..<arrayLength).map { _ in nonDefault(T.self, differentFrom: T.zero) }
    }
}

/// A tiny, fast, seedable generator (SplitMix64) so failures replay from a printed seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Fills a whole message at `version`.
func filled<M: WireMessage>(_ type: M.Type, version: Int16, seed: UInt64) throws -> M {
    var filler = ValueFiller(version: version, seed: seed)
    var message = M()
    try message.visitFields(&filler)
    return message
}
