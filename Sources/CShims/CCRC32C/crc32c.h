// CRC-32C with the CPU's own instruction where there is one: SSE4.2's crc32 on x86-64, the
// CRC extension's crc32c on AArch64. Header-only (static inline), so KafkaWire stays free of
// compiled C code. The Swift side asks `swafka_crc32c_hardware()` once and falls back to its
// slicing-by-8 tables when it answers 0.
//
// Both take and return the register before the final inversion, as the tables do, so the two
// can continue each other's work.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

static inline int swafka_crc32c_hardware(void) {
    unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & bit_SSE4_2) != 0;
}

__attribute__((target("sse4.2")))
static inline uint32_t swafka_crc32c_update(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *p = (const unsigned char *)bytes;
    uint64_t wide = crc;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        wide = __builtin_ia32_crc32di(wide, word);
        p += 8;
        count -= 8;
    }
    uint32_t narrow = (uint32_t)wide;
    while (count > 0) {
        narrow = __builtin_ia32_crc32qi(narrow, *p);
        p += 1;
        count -= 1;
    }
    return narrow;
}

#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#include <asm/hwcap.h>

static inline int swafka_crc32c_hardware(void) {
    return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0;
}

__attribute__((target("crc")))
static inline uint32_t swafka_crc32c_update(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *p = (const unsigned char *)bytes;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        crc = __builtin_arm_crc32cd(crc, word);
        p += 8;
        count -= 8;
    }
    while (count > 0) {
        crc = __builtin_arm_crc32cb(crc, *p);
        p += 1;
        count -= 1;
    }
    return crc;
}

#else
static inline int swafka_crc32c_hardware(void) { return 0; }

static inline uint32_t swafka_crc32c_update(uint32_t crc, const void *bytes, size_t count) {
    (void)bytes; (void)count;
    return crc; // never called: swafka_crc32c_hardware() says 0
}
#endif
