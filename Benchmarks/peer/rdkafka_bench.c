/*
 * rdkafka_bench: the librdkafka side of Swafka's producer and consumer comparison (issues 4 and 5).
 *
 * A comparison peer only: Benchmarks/run-peer-comparison.sh builds it against Debian's librdkafka-dev headers
 * and runs it with LD_LIBRARY_PATH pointing at the librdkafka 2.16 the test bed ships (Debian's 2.0.2 cannot
 * talk to Tansu). Swafka's product code never links librdkafka.
 *
 *   rdkafka_bench create-topic --brokers B --topic T --partitions P
 *   rdkafka_bench produce --brokers B --topic T --messages N --size S [--acks 1] [--linger-ms 5]
 *                 [--compression none|gzip|snappy|lz4|zstd] [--partitions P] [--partitioner roundrobin|client]
 *                 [--timeout SECONDS] [-X key=value ...]
 *   rdkafka_bench consume --brokers B --topic T --messages N [--partitions P] [--timeout SECONDS] [-X key=value ...]
 *   rdkafka_bench payload --size S --index I    (writes message I's payload to stdout: the runner checks that
 *                                                swafka-bench sends the very same bytes)
 *
 * Each mode prints exactly one JSON line on stdout (diagnostics go to stderr). Swift's swafka-bench takes the
 * same arguments and prints the same fields, so the runner treats both alike:
 *
 *   messages, bytes          what was delivered (produce: acknowledged by the broker) or consumed; bytes are
 *                            value bytes only (no keys are produced), so MB/s = bytes / wall_seconds / 1e6
 *   wall_seconds             produce: from the first produce call until the last delivery report;
 *                            consume: from assign until the N-th message was handed to the application
 *   cpu_user_seconds, cpu_system_seconds, cpu_seconds
 *                            getrusage(RUSAGE_SELF) over that same interval: every thread of the process
 *   errors                   failed delivery reports / consumer error events (the first few go to stderr)
 *
 * The payload of message i is the same in both programs: a JSON-looking document of exactly --size bytes,
 *   {"id":0000000042,"note":"tahovcjqxelszgnubipwdkryfmtahovc..."}
 * with the index as ten digits at byte 6 and a fixed letter pattern ('a' + (j * 7) % 26 at byte j) as the note,
 * so lz4 sees text, not zeros. No key, no headers. --partitioner roundrobin (the default) sends message i to
 * partition i % P explicitly, so both clients fill the same partitions the same way whatever their
 * partitioners; `client` leaves the choice to the client (librdkafka: sticky for null keys).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#define MAX_EXTRA_CONF 32
#define MAX_REPORTED_ERRORS 5

struct options {
    const char *mode;
    const char *brokers;
    const char *topic;
    long long messages;
    long long index;
    long size;
    const char *acks;
    const char *linger_ms;
    const char *compression;
    int partitions; /* expected partition count; 0 = whatever the topic has */
    int roundrobin;
    double timeout_seconds; /* produce: for the final flush; consume: without a new message */
    const char *extra[MAX_EXTRA_CONF];
    int extra_count;
};

struct snapshot {
    double wall;
    double user;
    double system;
};

static volatile sig_atomic_t interrupted = 0;
static int log_level = 4; /* warnings and worse; everything once -X debug=... is given */

static void on_signal(int sig) {
    (void)sig;
    interrupted = 1;
}

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("rdkafka_bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void usage(void) {
    fputs("usage: rdkafka_bench create-topic|produce|consume|payload --brokers B --topic T [--messages N] [--size S]\n"
          "       [--acks A] [--linger-ms MS] [--compression C] [--partitions P] [--partitioner roundrobin|client]\n"
          "       [--timeout SECONDS] [--index I] [-X key=value ...]\n",
          stderr);
    exit(2);
}

static struct snapshot now(void) {
    struct timespec ts;
    struct rusage ru;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    getrusage(RUSAGE_SELF, &ru);
    struct snapshot s = {
        .wall = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9,
        .user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
        .system = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
    };
    return s;
}

static double monotonic_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long parse_count(const char *name, const char *text) {
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 0) die("%s: not a count: %s", name, text);
    return value;
}

static struct options parse(int argc, char **argv) {
    if (argc < 2) usage();
    struct options o = {
        .mode = argv[1], .messages = 0, .size = 100, .acks = "1", .linger_ms = "5", .compression = "none",
        .partitions = 0, .roundrobin = 1, .timeout_seconds = 60,
    };
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (i + 1 >= argc) die("%s needs a value", arg);
        const char *value = argv[++i];
        if (!strcmp(arg, "--brokers")) o.brokers = value;
        else if (!strcmp(arg, "--topic")) o.topic = value;
        else if (!strcmp(arg, "--messages")) o.messages = parse_count(arg, value);
        else if (!strcmp(arg, "--index")) o.index = parse_count(arg, value);
        else if (!strcmp(arg, "--size")) o.size = (long)parse_count(arg, value);
        else if (!strcmp(arg, "--acks")) o.acks = value;
        else if (!strcmp(arg, "--linger-ms")) o.linger_ms = value;
        else if (!strcmp(arg, "--compression")) o.compression = value;
        else if (!strcmp(arg, "--partitions")) o.partitions = (int)parse_count(arg, value);
        else if (!strcmp(arg, "--partitioner")) {
            if (!strcmp(value, "roundrobin")) o.roundrobin = 1;
            else if (!strcmp(value, "client")) o.roundrobin = 0;
            else die("--partitioner: roundrobin or client, not %s", value);
        } else if (!strcmp(arg, "--timeout")) o.timeout_seconds = (double)parse_count(arg, value);
        else if (!strcmp(arg, "-X")) {
            if (o.extra_count == MAX_EXTRA_CONF) die("too many -X");
            if (!strchr(value, '=')) die("-X wants key=value, not %s", value);
            o.extra[o.extra_count++] = value;
            if (!strncmp(value, "debug=", 6)) log_level = 7;
        } else die("unknown argument %s", arg);
    }
    if (strcmp(o.mode, "payload") && (!o.brokers || !o.topic)) usage();
    if (o.size < 27) die("--size must be at least 27 (the payload's fixed part)");
    return o;
}

static void set_conf(rd_kafka_conf_t *conf, const char *key, const char *value) {
    char err[512];
    if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) die("%s=%s: %s", key, value, err);
}

static void apply_extra(rd_kafka_conf_t *conf, const struct options *o) {
    for (int i = 0; i < o->extra_count; i++) {
        char key[256];
        const char *eq = strchr(o->extra[i], '=');
        size_t n = (size_t)(eq - o->extra[i]);
        if (n >= sizeof key) die("-X key too long");
        memcpy(key, o->extra[i], n);
        key[n] = '\0';
        set_conf(conf, key, eq + 1);
    }
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk;
    if (level <= log_level) fprintf(stderr, "rdkafka_bench: librdkafka %s: %s\n", fac, buf);
}

static rd_kafka_conf_t *base_conf(const struct options *o) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set_conf(conf, "bootstrap.servers", o->brokers);
    set_conf(conf, "client.id", "rdkafka_bench");
    /* Never let a Metadata request create the topic (Tansu would make it with 4 partitions). */
    set_conf(conf, "allow.auto.create.topics", "false");
    rd_kafka_conf_set_log_cb(conf, log_cb);
    return conf;
}

/* The topic's partition count from a Metadata request, or -1 if the broker does not know the topic. */
static int partition_count(rd_kafka_t *rk, const char *topic) {
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    int count = -1;
    for (int attempt = 0; attempt < 20 && count < 0; attempt++) {
        rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
        if (err) die("metadata for %s: %s", topic, rd_kafka_err2str(err));
        if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topics[0].partition_cnt > 0)
            count = md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
        if (count < 0) nanosleep(&(struct timespec){.tv_sec = 0, .tv_nsec = 250000000}, NULL);
    }
    rd_kafka_topic_destroy(rkt);
    return count;
}

static int checked_partition_count(rd_kafka_t *rk, const struct options *o) {
    int count = partition_count(rk, o->topic);
    if (count < 0) die("topic %s does not exist (create it first: rdkafka_bench create-topic)", o->topic);
    if (o->partitions > 0 && count != o->partitions)
        die("topic %s has %d partitions, expected %d", o->topic, count, o->partitions);
    return count;
}

static void json_string(const char *s) {
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20) printf("\\u%04x", *s);
        else putchar(*s);
    }
    putchar('"');
}

static void print_result(const struct options *o, int partitions, long long messages, long long bytes,
                         struct snapshot start, struct snapshot end, long long errors, int complete) {
    double user = end.user - start.user, system = end.system - start.system;
    printf("{\"client\":\"librdkafka\",\"client_version\":");
    json_string(rd_kafka_version_str());
    printf(",\"available\":true,\"mode\":");
    json_string(o->mode);
    printf(",\"topic\":");
    json_string(o->topic);
    printf(",\"partitions\":%d,\"message_size\":%ld", partitions, o->size);
    if (!strcmp(o->mode, "produce")) {
        printf(",\"acks\":");
        json_string(o->acks);
        printf(",\"linger_ms\":");
        json_string(o->linger_ms);
        printf(",\"compression\":");
        json_string(o->compression);
        printf(",\"partitioner\":\"%s\"", o->roundrobin ? "roundrobin" : "client");
    }
    printf(",\"requested\":%lld,\"messages\":%lld,\"bytes\":%lld,\"complete\":%s", o->messages, messages, bytes,
           complete ? "true" : "false");
    printf(",\"wall_seconds\":%.6f,\"cpu_user_seconds\":%.6f,\"cpu_system_seconds\":%.6f,\"cpu_seconds\":%.6f",
           end.wall - start.wall, user, system, user + system);
    printf(",\"errors\":%lld}\n", errors);
    fflush(stdout);
}

/* The payload template: see the header comment. Message i overwrites the ten digits at byte 6. */
static char *payload_template(long size) {
    char *p = malloc((size_t)size);
    if (!p) die("out of memory");
    for (long j = 0; j < size; j++) p[j] = (char)('a' + (j * 7) % 26);
    const char *head = "{\"id\":0000000000,\"note\":\""; /* 25 bytes; parse() wants size >= 27 */
    memcpy(p, head, strlen(head));
    p[size - 2] = '"';
    p[size - 1] = '}';
    return p;
}

static void payload_set_index(char *p, long long index) {
    for (int d = 15; d >= 6; d--) {
        p[d] = (char)('0' + index % 10);
        index /= 10;
    }
}

/* ---- create-topic ---- */

static int create_topic(const struct options *o) {
    if (o->partitions <= 0) die("create-topic needs --partitions");
    char err[512];
    rd_kafka_conf_t *conf = base_conf(o);
    apply_extra(conf, o);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) die("rd_kafka_new: %s", err);

    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(o->topic, o->partitions, 1, err, sizeof err);
    if (!nt) die("NewTopic: %s", err);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
    if (!ev) die("CreateTopics: no answer in 30 s");
    if (rd_kafka_event_error(ev)) die("CreateTopics: %s", rd_kafka_event_error_string(ev));
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t **topics = rd_kafka_CreateTopics_result_topics(res, &n);
    int existed = 0;
    for (size_t i = 0; i < n; i++) {
        rd_kafka_resp_err_t e = rd_kafka_topic_result_error(topics[i]);
        if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) existed = 1;
        else if (e) die("CreateTopics %s: %s", o->topic, rd_kafka_topic_result_error_string(topics[i]));
    }
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);

    /* Confirm through Metadata: the partition count must be what was asked for. */
    int count = checked_partition_count(rk, o);
    printf("{\"client\":\"librdkafka\",\"client_version\":");
    json_string(rd_kafka_version_str());
    printf(",\"mode\":\"create-topic\",\"topic\":");
    json_string(o->topic);
    printf(",\"partitions\":%d,\"existed\":%s}\n", count, existed ? "true" : "false");
    rd_kafka_destroy(rk);
    return 0;
}

/* ---- produce ---- */

struct produce_state {
    long long delivered;
    long long delivered_bytes;
    long long failed;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    struct produce_state *st = opaque;
    if (m->err) {
        if (st->failed < MAX_REPORTED_ERRORS)
            fprintf(stderr, "rdkafka_bench: delivery failed: %s\n", rd_kafka_err2str(m->err));
        st->failed++;
    } else {
        st->delivered++;
        st->delivered_bytes += (long long)m->len;
    }
}

static int produce(const struct options *o) {
    char err[512];
    struct produce_state st = {0};
    rd_kafka_conf_t *conf = base_conf(o);
    set_conf(conf, "acks", o->acks);
    set_conf(conf, "linger.ms", o->linger_ms);
    set_conf(conf, "compression.type", o->compression);
    /* acks=1 rules out idempotence; say so rather than rely on the default. */
    set_conf(conf, "enable.idempotence", "false");
    apply_extra(conf, o);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &st);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) die("rd_kafka_new: %s", err);

    int partitions = checked_partition_count(rk, o);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
    char *payload = payload_template(o->size);

    struct snapshot start = now();
    for (long long i = 0; i < o->messages && !interrupted; i++) {
        payload_set_index(payload, i);
        int32_t partition = o->roundrobin ? (int32_t)(i % partitions) : RD_KAFKA_PARTITION_UA;
        while (rd_kafka_produce(rkt, partition, RD_KAFKA_MSG_F_COPY, payload, (size_t)o->size, NULL, 0, NULL) == -1) {
            rd_kafka_resp_err_t e = rd_kafka_last_error();
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce: %s", rd_kafka_err2str(e));
            rd_kafka_poll(rk, 10); /* the local queue is full: serve delivery reports until there is room */
        }
        if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
    }
    double deadline = monotonic_seconds() + o->timeout_seconds;
    while (st.delivered + st.failed < o->messages && !interrupted && monotonic_seconds() < deadline)
        rd_kafka_flush(rk, 100);
    struct snapshot end = now();

    long long errors = st.failed;
    int complete = st.delivered == o->messages;
    print_result(o, partitions, st.delivered, st.delivered_bytes, start, end, errors, complete);
    free(payload);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_flush(rk, 1000);
    rd_kafka_destroy(rk);
    return complete ? 0 : 1;
}

/* ---- consume ---- */

static int consume(const struct options *o) {
    char err[512], group[64];
    rd_kafka_conf_t *conf = base_conf(o);
    /* assign() needs no group, but librdkafka's consumer wants a group.id; nothing is committed. */
    snprintf(group, sizeof group, "rdkafka-bench-%ld", (long)getpid());
    set_conf(conf, "group.id", group);
    set_conf(conf, "enable.auto.commit", "false");
    set_conf(conf, "enable.auto.offset.store", "false");
    set_conf(conf, "enable.partition.eof", "false");
    set_conf(conf, "auto.offset.reset", "earliest");
    apply_extra(conf, o);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) die("rd_kafka_new: %s", err);
    rd_kafka_poll_set_consumer(rk);

    int partitions = checked_partition_count(rk, o);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++)
        rd_kafka_topic_partition_list_add(list, o->topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;

    long long count = 0, bytes = 0, errors = 0;
    struct snapshot start = now();
    rd_kafka_resp_err_t e = rd_kafka_assign(rk, list);
    if (e) die("assign: %s", rd_kafka_err2str(e));
    double last_progress = monotonic_seconds();
    while (count < o->messages && !interrupted) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) {
            if (monotonic_seconds() - last_progress > o->timeout_seconds) {
                fprintf(stderr, "rdkafka_bench: no message for %.0f s, stopping at %lld\n", o->timeout_seconds, count);
                break;
            }
            continue;
        }
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                if (errors < MAX_REPORTED_ERRORS)
                    fprintf(stderr, "rdkafka_bench: consumer error: %s\n", rd_kafka_message_errstr(m));
                errors++;
            }
        } else {
            count++;
            bytes += (long long)m->len;
            last_progress = monotonic_seconds();
        }
        rd_kafka_message_destroy(m);
    }
    struct snapshot end = now();

    int complete = count == o->messages;
    print_result(o, partitions, count, bytes, start, end, errors, complete);
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return complete ? 0 : 1;
}

int main(int argc, char **argv) {
    struct options o = parse(argc, argv);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (!strcmp(o.mode, "create-topic")) return create_topic(&o);
    if (!strcmp(o.mode, "payload")) {
        char *payload = payload_template(o.size);
        payload_set_index(payload, o.index);
        fwrite(payload, 1, (size_t)o.size, stdout);
        free(payload);
        return 0;
    }
    if (!strcmp(o.mode, "produce")) {
        if (o.messages <= 0) die("produce needs --messages");
        return produce(&o);
    }
    if (!strcmp(o.mode, "consume")) {
        if (o.messages <= 0) die("consume needs --messages");
        return consume(&o);
    }
    usage();
    return 2;
}
