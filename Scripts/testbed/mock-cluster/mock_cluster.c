/*
 * mock_cluster: runs librdkafka's mock Kafka cluster as a stand-alone test peer and lets tests inject faults
 * over a loopback TCP line protocol.
 *
 * TEST PEER ONLY. Swafka's product code never links librdkafka; this program exists so that integration tests
 * have a multi-broker cluster whose leaders, outages, latencies and error codes they can script.
 *
 * Usage:
 *   mock_cluster [-b BROKERS] [-c CONTROL_PORT] [-i] [-R] [TOPIC[:PARTITIONS[:REPLICATION]] ...]
 *     -b N   number of brokers (ids 1..N), default 3
 *     -c P   control port on 127.0.0.1 (default 0: an ephemeral port, printed at start)
 *     -i     also read commands from stdin (replies on stdout); EOF on stdin shuts the cluster down
 *     -R     raw: keep the mock's own ListOffsets versions (see below)
 *
 * librdkafka 2.0.2's mock writes the LeaderEpoch of ListOffsets v4+ answers as 8 bytes instead of 4
 * (4 stray bytes per partition; Fixtures/README.md). Clients that decode strictly refuse those answers,
 * so the launcher offers ListOffsets up to v3 only (`apiversion ListOffsets 0 3`), unless -R is given.
 * The peer's bug is handled here, at the peer, not inside the clients under test.
 *     TOPIC  topics created before the cluster is announced (the mock has no CreateTopics API)
 *
 * On start it prints, on stdout, one line each and then flushes:
 *   bootstrap 127.0.0.1:A,127.0.0.1:B,127.0.0.1:C
 *   control 127.0.0.1:P
 *   ready
 *
 * Control protocol (see Scripts/testbed/README.md): one command per line, tokens separated by blanks, one reply
 * line per command: "ok" or "ok <detail>" on success, "error <message>" on failure. Any number of clients may
 * be connected at once; commands are executed in arrival order by a single thread. API keys may be given as
 * numbers or names (Produce, Metadata, ...), error codes as numbers (negative for librdkafka's internal codes,
 * e.g. -195 = _TRANSPORT, which makes the mock drop the connection) or as librdkafka's names
 * (NOT_LEADER_FOR_PARTITION, _TRANSPORT, case-insensitive).
 *
 * Build: gcc -O2 -Wall -Wextra -o mock_cluster mock_cluster.c $(pkg-config --cflags --libs rdkafka)
 */

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_CLIENTS 64
#define LINE_MAX_LEN 4096
#define MAX_TOKENS 64

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
        (void)sig;
        stop_requested = 1;
}

/* Kafka API names by key, for commands that name an API. */
static const char *const api_names[] = {
    "Produce", "Fetch", "ListOffsets", "Metadata", "LeaderAndIsr", "StopReplica", "UpdateMetadata",
    "ControlledShutdown", "OffsetCommit", "OffsetFetch", "FindCoordinator", "JoinGroup", "Heartbeat",
    "LeaveGroup", "SyncGroup", "DescribeGroups", "ListGroups", "SaslHandshake", "ApiVersions", "CreateTopics",
    "DeleteTopics", "DeleteRecords", "InitProducerId", "OffsetForLeaderEpoch", "AddPartitionsToTxn",
    "AddOffsetsToTxn", "EndTxn", "WriteTxnMarkers", "TxnOffsetCommit", "DescribeAcls", "CreateAcls",
    "DeleteAcls", "DescribeConfigs", "AlterConfigs", "AlterReplicaLogDirs", "DescribeLogDirs",
    "SaslAuthenticate", "CreatePartitions", "CreateDelegationToken", "RenewDelegationToken",
    "ExpireDelegationToken", "DescribeDelegationToken", "DeleteGroups", "ElectLeaders",
    "IncrementalAlterConfigs", "AlterPartitionReassignments", "ListPartitionReassignments", "OffsetDelete",
    "DescribeClientQuotas", "AlterClientQuotas", "DescribeUserScramCredentials", "AlterUserScramCredentials",
};

/* One connected control client (fd -1 = free slot). */
struct client {
        int fd;        /* socket, or 0 for stdin */
        int out_fd;    /* where replies go */
        size_t len;    /* bytes buffered in line */
        char line[LINE_MAX_LEN];
};

static struct client clients[MAX_CLIENTS];

/* Reply building: every command produces exactly one line. */
struct reply {
        char text[LINE_MAX_LEN];
};

static void reply_set(struct reply *r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->text, sizeof(r->text), fmt, ap);
        va_end(ap);
}

static int parse_long(const char *s, long min, long max, long *out) {
        char *end = NULL;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
                return -1;
        *out = v;
        return 0;
}

static int parse_api_key(const char *s, int16_t *out) {
        long v;
        if (parse_long(s, 0, 32767, &v) == 0) {
                *out = (int16_t)v;
                return 0;
        }
        for (size_t i = 0; i < sizeof(api_names) / sizeof(api_names[0]); i++) {
                if (strcasecmp(api_names[i], s) == 0) {
                        *out = (int16_t)i;
                        return 0;
                }
        }
        return -1;
}

static int parse_error_code(const char *s, rd_kafka_resp_err_t *out) {
        long v;
        if (parse_long(s, -1000000, 1000000, &v) == 0) {
                *out = (rd_kafka_resp_err_t)v;
                return 0;
        }
        const struct rd_kafka_err_desc *descs = NULL;
        size_t cnt = 0;
        rd_kafka_get_err_descs(&descs, &cnt);
        for (size_t i = 0; i < cnt; i++) {
                if (descs[i].name == NULL)
                        continue;
                if (strcasecmp(descs[i].name, s) == 0) {
                        *out = descs[i].code;
                        return 0;
                }
        }
        /* Kafka's current name for error 6; librdkafka 2.0 still calls it NOT_LEADER_FOR_PARTITION. */
        if (strcasecmp(s, "NOT_LEADER_OR_FOLLOWER") == 0) {
                *out = RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION;
                return 0;
        }
        return -1;
}

static int parse_broker_id(const char *s, int32_t *out) {
        long v;
        if (parse_long(s, -1, 1000000, &v) != 0)
                return -1;
        *out = (int32_t)v;
        return 0;
}

static void reply_err(struct reply *r, rd_kafka_resp_err_t err) {
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
                reply_set(r, "ok");
        else
                reply_set(r, "error %s: %s", rd_kafka_err2name(err), rd_kafka_err2str(err));
}

static int topic_create(rd_kafka_mock_cluster_t *mc, int brokers, const char *name, long partitions, long rf,
                        struct reply *r) {
        if (rf <= 0)
                rf = brokers < 3 ? brokers : 3;
        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name, (int)partitions, (int)rf);
        reply_err(r, err);
        return err == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
}

/* Parses "NAME[:PARTITIONS[:RF]]" from the command line (on a copy: argv stays readable in ps). */
static int topic_from_arg(rd_kafka_mock_cluster_t *mc, int brokers, const char *arg) {
        char buf[512];
        if (strlen(arg) >= sizeof(buf)) {
                fprintf(stderr, "mock_cluster: topic argument too long\n");
                return -1;
        }
        strcpy(buf, arg);
        char *save = NULL;
        char *name = strtok_r(buf, ":", &save);
        char *p = strtok_r(NULL, ":", &save);
        char *f = strtok_r(NULL, ":", &save);
        long partitions = 1, rf = 0;
        if (name == NULL || (p && parse_long(p, 1, 100000, &partitions) != 0) ||
            (f && parse_long(f, 1, 1000, &rf) != 0)) {
                fprintf(stderr, "mock_cluster: bad topic argument '%s'\n", arg);
                return -1;
        }
        struct reply r;
        if (topic_create(mc, brokers, name, partitions, rf, &r) != 0) {
                fprintf(stderr, "mock_cluster: topic %s: %s\n", name, r.text);
                return -1;
        }
        return 0;
}

static const char *help_text =
    "ok commands: ping | bootstrap | topic create NAME PARTITIONS [RF] | topic error NAME ERR | "
    "broker down ID | broker up ID | broker rtt ID MS | broker rack ID RACK | "
    "broker errors ID API ERR[@RTT_MS]... | leader TOPIC PARTITION ID | follower TOPIC PARTITION ID | "
    "wmarks TOPIC PARTITION LO HI | errors push API ERR... | errors clear API | "
    "coordinator group|transaction KEY ID | apiversion API MIN MAX | quit | shutdown";

/* Executes one command line; returns 1 if the connection should close, 2 for shutdown, else 0. */
static int execute(rd_kafka_mock_cluster_t *mc, int brokers, char *line, struct reply *r) {
        char *tok[MAX_TOKENS];
        int n = 0;
        for (char *save = NULL, *t = strtok_r(line, " \t\r", &save); t && n < MAX_TOKENS;
             t = strtok_r(NULL, " \t\r", &save))
                tok[n++] = t;

        if (n == 0) {
                reply_set(r, "error empty command");
                return 0;
        }
        const char *cmd = tok[0];
        long a, b;
        int32_t id;
        int16_t api;
        rd_kafka_resp_err_t code;

        if (!strcasecmp(cmd, "ping")) {
                reply_set(r, "ok pong");
        } else if (!strcasecmp(cmd, "help")) {
                reply_set(r, "%s", help_text);
        } else if (!strcasecmp(cmd, "bootstrap")) {
                reply_set(r, "ok %s", rd_kafka_mock_cluster_bootstraps(mc));
        } else if (!strcasecmp(cmd, "quit")) {
                reply_set(r, "ok bye");
                return 1;
        } else if (!strcasecmp(cmd, "shutdown")) {
                reply_set(r, "ok shutting down");
                return 2;
        } else if (!strcasecmp(cmd, "topic") && n >= 2 && !strcasecmp(tok[1], "create")) {
                long rf = 0;
                if (n < 4 || n > 5 || parse_long(tok[3], 1, 100000, &a) != 0 ||
                    (n == 5 && parse_long(tok[4], 1, 1000, &rf) != 0))
                        reply_set(r, "error usage: topic create NAME PARTITIONS [RF]");
                else
                        topic_create(mc, brokers, tok[2], a, rf, r);
        } else if (!strcasecmp(cmd, "topic") && n >= 2 && !strcasecmp(tok[1], "error")) {
                if (n != 4 || parse_error_code(tok[3], &code) != 0)
                        reply_set(r, "error usage: topic error NAME ERR");
                else {
                        rd_kafka_mock_topic_set_error(mc, tok[2], code);
                        reply_set(r, "ok");
                }
        } else if (!strcasecmp(cmd, "broker") && n >= 3) {
                const char *sub = tok[1];
                if (parse_broker_id(tok[2], &id) != 0) {
                        reply_set(r, "error bad broker id '%s'", tok[2]);
                } else if (!strcasecmp(sub, "down") && n == 3) {
                        reply_err(r, rd_kafka_mock_broker_set_down(mc, id));
                } else if (!strcasecmp(sub, "up") && n == 3) {
                        reply_err(r, rd_kafka_mock_broker_set_up(mc, id));
                } else if (!strcasecmp(sub, "rtt") && n == 4 && parse_long(tok[3], 0, 3600000, &a) == 0) {
                        reply_err(r, rd_kafka_mock_broker_set_rtt(mc, id, (int)a));
                } else if (!strcasecmp(sub, "rack") && n == 4) {
                        reply_err(r, rd_kafka_mock_broker_set_rack(mc, id, tok[3]));
                } else if (!strcasecmp(sub, "errors") && n >= 5 && parse_api_key(tok[3], &api) == 0) {
                        rd_kafka_resp_err_t errs[MAX_TOKENS];
                        long rtts[MAX_TOKENS];
                        int i, cnt = 0;
                        for (i = 4; i < n; i++, cnt++) {
                                char *at = strchr(tok[i], '@');
                                rtts[cnt] = 0;
                                if (at)
                                        *at = '\0';
                                if (parse_error_code(tok[i], &errs[cnt]) != 0 ||
                                    (at && parse_long(at + 1, 0, 3600000, &rtts[cnt]) != 0))
                                        break;
                        }
                        if (i < n) {
                                reply_set(r, "error bad ERR[@RTT_MS] '%s'", tok[i]);
                        } else {
                                /* The varargs API takes a fixed count; one tuple per call appends in order. */
                                rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
                                for (i = 0; i < cnt && err == RD_KAFKA_RESP_ERR_NO_ERROR; i++)
                                        err = rd_kafka_mock_broker_push_request_error_rtts(mc, id, api, 1, errs[i],
                                                                                           (int)rtts[i]);
                                reply_err(r, err);
                        }
                } else {
                        reply_set(r, "error usage: broker down|up ID, broker rtt ID MS, broker rack ID RACK, "
                                     "broker errors ID API ERR[@RTT_MS]...");
                }
        } else if ((!strcasecmp(cmd, "leader") || !strcasecmp(cmd, "follower")) && n == 4) {
                if (parse_long(tok[2], 0, 1000000, &a) != 0 || parse_broker_id(tok[3], &id) != 0)
                        reply_set(r, "error usage: %s TOPIC PARTITION BROKER", cmd);
                else if (!strcasecmp(cmd, "leader"))
                        reply_err(r, rd_kafka_mock_partition_set_leader(mc, tok[1], (int32_t)a, id));
                else
                        reply_err(r, rd_kafka_mock_partition_set_follower(mc, tok[1], (int32_t)a, id));
        } else if (!strcasecmp(cmd, "wmarks") && n == 5) {
                long lo, hi;
                if (parse_long(tok[2], 0, 1000000, &a) != 0 || parse_long(tok[3], -1, __LONG_MAX__, &lo) != 0 ||
                    parse_long(tok[4], -1, __LONG_MAX__, &hi) != 0)
                        reply_set(r, "error usage: wmarks TOPIC PARTITION LO HI");
                else
                        reply_err(r, rd_kafka_mock_partition_set_follower_wmarks(mc, tok[1], (int32_t)a, lo, hi));
        } else if (!strcasecmp(cmd, "errors") && n >= 3 && !strcasecmp(tok[1], "push")) {
                rd_kafka_resp_err_t errs[MAX_TOKENS];
                int i, cnt = 0;
                if (parse_api_key(tok[2], &api) != 0 || n < 4) {
                        reply_set(r, "error usage: errors push API ERR...");
                        return 0;
                }
                for (i = 3; i < n; i++) {
                        if (parse_error_code(tok[i], &errs[cnt]) != 0)
                                break;
                        cnt++;
                }
                if (i < n) {
                        reply_set(r, "error bad error code '%s'", tok[i]);
                } else {
                        rd_kafka_mock_push_request_errors_array(mc, api, (size_t)cnt, errs);
                        reply_set(r, "ok");
                }
        } else if (!strcasecmp(cmd, "errors") && n == 3 && !strcasecmp(tok[1], "clear")) {
                if (parse_api_key(tok[2], &api) != 0) {
                        reply_set(r, "error usage: errors clear API");
                } else {
                        rd_kafka_mock_clear_request_errors(mc, api);
                        reply_set(r, "ok");
                }
        } else if (!strcasecmp(cmd, "coordinator") && n == 4) {
                if ((strcmp(tok[1], "group") && strcmp(tok[1], "transaction")) || parse_broker_id(tok[3], &id))
                        reply_set(r, "error usage: coordinator group|transaction KEY BROKER");
                else
                        reply_err(r, rd_kafka_mock_coordinator_set(mc, tok[1], tok[2], id));
        } else if (!strcasecmp(cmd, "apiversion") && n == 4) {
                if (parse_api_key(tok[1], &api) != 0 || parse_long(tok[2], -1, 32767, &a) != 0 ||
                    parse_long(tok[3], -1, 32767, &b) != 0)
                        reply_set(r, "error usage: apiversion API MIN MAX");
                else
                        reply_err(r, rd_kafka_mock_set_apiversion(mc, api, (int16_t)a, (int16_t)b));
        } else {
                reply_set(r, "error unknown command '%s' (try: help)", cmd);
        }
        return 0;
}

static int write_all(int fd, const char *buf, size_t len) {
        while (len > 0) {
                ssize_t w = write(fd, buf, len);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                buf += w;
                len -= (size_t)w;
        }
        return 0;
}

static void close_client(struct client *c) {
        if (c->fd > 0)
                close(c->fd);
        c->fd = -1;
        c->len = 0;
}

static int add_client(int fd, int out_fd) {
        for (int i = 0; i < MAX_CLIENTS; i++) {
                if (clients[i].fd == -1) {
                        clients[i].fd = fd;
                        clients[i].out_fd = out_fd;
                        clients[i].len = 0;
                        return 0;
                }
        }
        return -1;
}

/* Reads what is available from a client and runs each complete line. Returns 2 on shutdown. */
static int service_client(rd_kafka_mock_cluster_t *mc, int brokers, struct client *c) {
        char buf[LINE_MAX_LEN];
        ssize_t got = read(c->fd, buf, sizeof(buf));
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
                return 0;
        if (got <= 0) {
                int was_stdin = c->fd == 0;
                close_client(c);
                return was_stdin ? 2 : 0;
        }
        for (ssize_t i = 0; i < got; i++) {
                char ch = buf[i];
                if (ch != '\n') {
                        if (c->len + 1 < sizeof(c->line))
                                c->line[c->len++] = ch;
                        continue;
                }
                c->line[c->len] = '\0';
                c->len = 0;
                struct reply r;
                int action = execute(mc, brokers, c->line, &r);
                size_t tl = strlen(r.text);
                if (tl + 1 < sizeof(r.text)) {
                        r.text[tl] = '\n';
                        r.text[tl + 1] = '\0';
                }
                fprintf(stderr, "mock_cluster: control: %s", r.text);
                if (write_all(c->out_fd, r.text, strlen(r.text)) != 0 || action == 1) {
                        close_client(c);
                        return 0;
                }
                if (action == 2)
                        return 2;
        }
        return 0;
}

int main(int argc, char **argv) {
        int brokers = 3, use_stdin = 0, raw_versions = 0;
        long control_port = 0;
        int opt;
        while ((opt = getopt(argc, argv, "b:c:iRh")) != -1) {
                long v;
                switch (opt) {
                case 'b':
                        if (parse_long(optarg, 1, 100, &v) != 0) {
                                fprintf(stderr, "mock_cluster: bad broker count\n");
                                return 2;
                        }
                        brokers = (int)v;
                        break;
                case 'c':
                        if (parse_long(optarg, 0, 65535, &control_port) != 0) {
                                fprintf(stderr, "mock_cluster: bad control port\n");
                                return 2;
                        }
                        break;
                case 'i':
                        use_stdin = 1;
                        break;
                case 'R':
                        raw_versions = 1;
                        break;
                default:
                        fprintf(stderr, "usage: %s [-b BROKERS] [-c CONTROL_PORT] [-i] [-R] "
                                        "[TOPIC[:PARTITIONS[:RF]] ...]\n", argv[0]);
                        return opt == 'h' ? 0 : 2;
                }
        }

        signal(SIGPIPE, SIG_IGN);
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);

        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        /* The handle only hosts the mock cluster; it never connects anywhere, so it needs no bootstrap. */
        rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof(errstr));
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (rk == NULL) {
                fprintf(stderr, "mock_cluster: rd_kafka_new: %s\n", errstr);
                return 1;
        }
        rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
        if (mc == NULL) {
                fprintf(stderr, "mock_cluster: rd_kafka_mock_cluster_new failed\n");
                rd_kafka_destroy(rk);
                return 1;
        }
        /* ListOffsets (key 2) up to v3: see the stray bytes note at the top. */
        if (!raw_versions) {
                rd_kafka_resp_err_t err = rd_kafka_mock_set_apiversion(mc, 2, 0, 3);
                if (err) {
                        fprintf(stderr, "mock_cluster: capping ListOffsets: %s\n", rd_kafka_err2str(err));
                        rd_kafka_mock_cluster_destroy(mc);
                        rd_kafka_destroy(rk);
                        return 1;
                }
        }
        for (int i = optind; i < argc; i++) {
                if (topic_from_arg(mc, brokers, argv[i]) != 0) {
                        rd_kafka_mock_cluster_destroy(mc);
                        rd_kafka_destroy(rk);
                        return 1;
                }
        }

        int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        struct sockaddr_in addr;
        memset(&addr, 0, sizeof(addr));
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons((uint16_t)control_port);
        socklen_t alen = sizeof(addr);
        if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
            bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(lfd, 16) != 0 ||
            getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0) {
                fprintf(stderr, "mock_cluster: control socket: %s\n", strerror(errno));
                rd_kafka_mock_cluster_destroy(mc);
                rd_kafka_destroy(rk);
                return 1;
        }

        for (int i = 0; i < MAX_CLIENTS; i++)
                clients[i].fd = -1;
        if (use_stdin)
                add_client(0, 1);

        printf("bootstrap %s\ncontrol 127.0.0.1:%u\nready\n", rd_kafka_mock_cluster_bootstraps(mc),
               (unsigned)ntohs(addr.sin_port));
        fflush(stdout);

        while (!stop_requested) {
                struct pollfd pfds[MAX_CLIENTS + 1];
                int idx[MAX_CLIENTS + 1];
                int n = 0;
                pfds[n].fd = lfd;
                pfds[n].events = POLLIN;
                idx[n++] = -1;
                for (int i = 0; i < MAX_CLIENTS; i++) {
                        if (clients[i].fd < 0)
                                continue;
                        pfds[n].fd = clients[i].fd;
                        pfds[n].events = POLLIN;
                        idx[n++] = i;
                }
                int ready = poll(pfds, (nfds_t)n, 1000);
                if (ready < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "mock_cluster: poll: %s\n", strerror(errno));
                        break;
                }
                if (pfds[0].revents & POLLIN) {
                        int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                        if (cfd >= 0 && add_client(cfd, cfd) != 0) {
                                const char *busy = "error too many control connections\n";
                                write_all(cfd, busy, strlen(busy));
                                close(cfd);
                        }
                }
                for (int k = 1; k < n; k++) {
                        if (!(pfds[k].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        if (service_client(mc, brokers, &clients[idx[k]]) == 2)
                                stop_requested = 1;
                }
        }

        fprintf(stderr, "mock_cluster: shutting down\n");
        for (int i = 0; i < MAX_CLIENTS; i++)
                if (clients[i].fd >= 0)
                        close_client(&clients[i]);
        close(lfd);
        rd_kafka_mock_cluster_destroy(mc);
        rd_kafka_destroy(rk);
        return 0;
}
