/*
 * A Kafka-protocol test cluster: librdkafka's mock cluster (rdkafka_mock.h),
 * N brokers on 127.0.0.1 speaking the real wire protocol over TCP, in memory
 * only. Any Kafka client connects to it by its bootstrap addresses.
 *
 *   mock-kafka [BROKERS]        default 3 brokers
 *
 * Prints two lines on stdout, then runs until SIGTERM/SIGINT:
 *   bootstrap=127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3
 *   control=127.0.0.1:PORT
 *
 * The control port takes one command per line and answers "ok ..." or
 * "error ..." on one line, so a test can inject faults while a client runs:
 *   ping                                   ok pong
 *   bootstrap                              ok <bootstrap servers>
 *   down ID | up ID                        broker ID refuses / accepts connections
 *   rtt ID MS                              broker ID delays every response by MS
 *   errors API COUNT ERR [ERR...]          the next requests of API (cluster-wide)
 *                                          fail with these errors, in order; COUNT
 *                                          repeats the list that many times
 *   broker-errors ID API ERR:MS [ERR:MS..] the next requests of API to broker ID fail
 *                                          (or are delayed by MS when ERR is 0/NO_ERROR)
 *   pending ID API                         ok N: injected errors of API not yet used on broker ID
 *   clear API                              drop pending injected errors of API
 *   topic NAME PARTITIONS REPLICATION      create a topic
 *   leader TOPIC PARTITION ID              move a partition's leadership to broker ID
 *   coordinator transaction|group KEY ID   make broker ID the coordinator of KEY
 * Mind: once a broker has had errors of an API pushed (broker-errors), the
 * cluster-wide ones of that API (errors) no longer apply to it; tests that
 * must hit one broker use broker-errors, and check with `pending` that the
 * errors were used.
 * API is a request name (Produce, Fetch, ListOffsets, Metadata, InitProducerId,
 * AddPartitionsToTxn, EndTxn, FindCoordinator, ...) or its number; ERR is an
 * error name as librdkafka prints it without the RD_KAFKA_RESP_ERR_ prefix
 * (NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT, ...) or its number.
 *
 * Build: gcc -O2 -o mock-kafka mock-kafka.c -lrdkafka   (Debian: librdkafka-dev)
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
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

#define MAX_CLIENTS 16
#define LINE_MAX_LEN 1024
#define MAX_ERRS 64

static volatile sig_atomic_t running = 1;
static void on_signal(int s) { (void)s; running = 0; }

struct api_name { const char *name; int16_t key; };
/* Request types and their ApiKey numbers (Kafka protocol guide). */
static const struct api_name apis[] = {
    {"Produce", 0}, {"Fetch", 1}, {"ListOffsets", 2}, {"Metadata", 3},
    {"OffsetCommit", 8}, {"OffsetFetch", 9}, {"FindCoordinator", 10},
    {"JoinGroup", 11}, {"Heartbeat", 12}, {"LeaveGroup", 13}, {"SyncGroup", 14},
    {"ApiVersion", 18}, {"ApiVersions", 18}, {"InitProducerId", 22},
    {"AddPartitionsToTxn", 24}, {"AddOffsetsToTxn", 25}, {"EndTxn", 26},
    {"TxnOffsetCommit", 28},
};

static int parse_int(const char *s, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end) return -1;
  *out = v;
  return 0;
}

static int parse_api(const char *s, int16_t *key) {
  long v;
  size_t i;
  if (parse_int(s, &v) == 0 && v >= 0 && v < 100) { *key = (int16_t)v; return 0; }
  for (i = 0; i < sizeof apis / sizeof apis[0]; i++) {
    if (strcasecmp(s, apis[i].name) == 0) { *key = apis[i].key; return 0; }
  }
  return -1;
}

static int parse_err(const char *s, rd_kafka_resp_err_t *err) {
  long v;
  int code;
  if (parse_int(s, &v) == 0) { *err = (rd_kafka_resp_err_t)v; return 0; }
  if (strcasecmp(s, "NO_ERROR") == 0) { *err = RD_KAFKA_RESP_ERR_NO_ERROR; return 0; }
  /* Broker error codes are 1..~120; librdkafka names them without the prefix. */
  for (code = 1; code < 200; code++) {
    const char *name = rd_kafka_err2name((rd_kafka_resp_err_t)code);
    if (name && strcasecmp(name, s) == 0) { *err = (rd_kafka_resp_err_t)code; return 0; }
  }
  return -1;
}

/* Splits a line into at most max words (spaces); returns the count. */
static int split(char *line, char **words, int max) {
  int n = 0;
  char *save = NULL;
  char *w = strtok_r(line, " \t\r\n", &save);
  while (w && n < max) { words[n++] = w; w = strtok_r(NULL, " \t\r\n", &save); }
  return n;
}

static void reply(int fd, const char *fmt, const char *arg) {
  char buf[LINE_MAX_LEN + 64];
  int len = snprintf(buf, sizeof buf, fmt, arg ? arg : "");
  if (len > 0) {
    ssize_t w = write(fd, buf, (size_t)len > sizeof buf ? sizeof buf : (size_t)len);
    (void)w;
  }
}

static void handle(rd_kafka_mock_cluster_t *mc, int fd, char *line) {
  char *w[MAX_ERRS + 8];
  int n = split(line, w, MAX_ERRS + 8);
  long a, b, c;
  int16_t api;
  rd_kafka_resp_err_t rerr;
  if (n == 0) return;
  if (!strcmp(w[0], "ping")) { reply(fd, "ok pong\n", NULL); return; }
  if (!strcmp(w[0], "bootstrap")) { reply(fd, "ok %s\n", rd_kafka_mock_cluster_bootstraps(mc)); return; }
  if ((!strcmp(w[0], "down") || !strcmp(w[0], "up")) && n == 2 && parse_int(w[1], &a) == 0) {
    rerr = !strcmp(w[0], "down") ? rd_kafka_mock_broker_set_down(mc, (int32_t)a)
                                 : rd_kafka_mock_broker_set_up(mc, (int32_t)a);
    if (rerr) reply(fd, "error %s\n", rd_kafka_err2str(rerr)); else reply(fd, "ok\n", NULL);
    return;
  }
  if (!strcmp(w[0], "rtt") && n == 3 && parse_int(w[1], &a) == 0 && parse_int(w[2], &b) == 0) {
    rerr = rd_kafka_mock_broker_set_rtt(mc, (int32_t)a, (int)b);
    if (rerr) reply(fd, "error %s\n", rd_kafka_err2str(rerr)); else reply(fd, "ok\n", NULL);
    return;
  }
  if (!strcmp(w[0], "errors") && n >= 4 && parse_api(w[1], &api) == 0 && parse_int(w[2], &a) == 0 && a > 0) {
    rd_kafka_resp_err_t errs[MAX_ERRS];
    int cnt = 0, i, r;
    for (r = 0; r < a; r++) {
      for (i = 3; i < n; i++) {
        if (cnt >= MAX_ERRS) { reply(fd, "error too many errors (at most 64)\n", NULL); return; }
        if (parse_err(w[i], &errs[cnt]) != 0) { reply(fd, "error unknown error name %s\n", w[i]); return; }
        cnt++;
      }
    }
    rd_kafka_mock_push_request_errors_array(mc, api, (size_t)cnt, errs);
    reply(fd, "ok\n", NULL);
    return;
  }
  if (!strcmp(w[0], "broker-errors") && n >= 4 && parse_int(w[1], &a) == 0 && parse_api(w[2], &api) == 0) {
    int i;
    for (i = 3; i < n; i++) {
      char *colon = strchr(w[i], ':');
      long ms = 0;
      if (colon) { *colon = '\0'; if (parse_int(colon + 1, &ms) != 0) { reply(fd, "error bad delay in %s\n", w[i]); return; } }
      if (parse_err(w[i], &rerr) != 0) { reply(fd, "error unknown error name %s\n", w[i]); return; }
      rerr = rd_kafka_mock_broker_push_request_error_rtts(mc, (int32_t)a, api, 1, rerr, (int)ms);
      if (rerr) { reply(fd, "error %s\n", rd_kafka_err2str(rerr)); return; }
    }
    reply(fd, "ok\n", NULL);
    return;
  }
  if (!strcmp(w[0], "pending") && n == 3 && parse_int(w[1], &a) == 0 && parse_api(w[2], &api) == 0) {
    size_t cnt = 0;
    char num[32];
    rerr = rd_kafka_mock_broker_error_stack_cnt(mc, (int32_t)a, api, &cnt);
    if (rerr) { reply(fd, "error %s\n", rd_kafka_err2str(rerr)); return; }
    snprintf(num, sizeof num, "%zu", cnt);
    reply(fd, "ok %s\n", num);
    return;
  }
  if (!strcmp(w[0], "clear") && n == 2 && parse_api(w[1], &api) == 0) {
    rd_kafka_mock_clear_request_errors(mc, api);
    reply(fd, "ok\n", NULL);
    return;
  }
  if (!strcmp(w[0], "topic") && n == 4 && parse_int(w[2], &a) == 0 && parse_int(w[3], &b) == 0) {
    rerr = rd_kafka_mock_topic_create(mc, w[1], (int)a, (int)b);
    if (rerr) reply(fd, "error %s\n", rd_kafka_err2str(rerr)); else reply(fd, "ok\n", NULL);
    return;
  }
  if (!strcmp(w[0], "leader") && n == 4 && parse_int(w[2], &a) == 0 && parse_int(w[3], &b) == 0) {
    rerr = rd_kafka_mock_partition_set_leader(mc, w[1], (int32_t)a, (int32_t)b);
    if (rerr) reply(fd, "error %s\n", rd_kafka_err2str(rerr)); else reply(fd, "ok\n", NULL);
    return;
  }
  if (!strcmp(w[0], "coordinator") && n == 4 && parse_int(w[3], &c) == 0) {
    rerr = rd_kafka_mock_coordinator_set(mc, w[1], w[2], (int32_t)c);
    if (rerr) reply(fd, "error %s\n", rd_kafka_err2str(rerr)); else reply(fd, "ok\n", NULL);
    return;
  }
  reply(fd, "error unknown or malformed command: %s (see the comment at the top of mock-kafka.c)\n", w[0]);
}

int main(int argc, char **argv) {
  char errstr[512];
  long brokers = 3;
  int lfd, i;
  struct sockaddr_in addr;
  socklen_t alen = sizeof addr;
  struct pollfd fds[1 + MAX_CLIENTS];
  char bufs[MAX_CLIENTS][LINE_MAX_LEN];
  size_t lens[MAX_CLIENTS];

  if (argc > 1 && (parse_int(argv[1], &brokers) != 0 || brokers < 1 || brokers > 16)) {
    fprintf(stderr, "usage: %s [BROKERS]   (1 to 16, default 3)\n", argv[0]);
    return 2;
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);

  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The handle only hosts the mock cluster; it never connects anywhere. */
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) { fprintf(stderr, "mock-kafka: %s\n", errstr); return 1; }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, (int)brokers);
  if (!mc) { fprintf(stderr, "mock-kafka: could not create the mock cluster\n"); return 1; }

  lfd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(lfd, 8) != 0 ||
      getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0) {
    fprintf(stderr, "mock-kafka: cannot open the control port: %s\n", strerror(errno));
    return 1;
  }
  printf("bootstrap=%s\ncontrol=127.0.0.1:%d\n", rd_kafka_mock_cluster_bootstraps(mc), ntohs(addr.sin_port));
  fflush(stdout);

  fds[0].fd = lfd;
  fds[0].events = POLLIN;
  for (i = 0; i < MAX_CLIENTS; i++) { fds[1 + i].fd = -1; fds[1 + i].events = POLLIN; lens[i] = 0; }

  while (running) {
    int r = poll(fds, 1 + MAX_CLIENTS, 500);
    if (r < 0) { if (errno == EINTR) continue; break; }
    if (fds[0].revents & POLLIN) {
      int cfd = accept(lfd, NULL, NULL);
      if (cfd >= 0) {
        for (i = 0; i < MAX_CLIENTS && fds[1 + i].fd >= 0; i++) {}
        if (i == MAX_CLIENTS) { close(cfd); } else { fds[1 + i].fd = cfd; lens[i] = 0; }
      }
    }
    for (i = 0; i < MAX_CLIENTS; i++) {
      int fd = fds[1 + i].fd;
      ssize_t got;
      char *nl;
      if (fd < 0 || !(fds[1 + i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      got = read(fd, bufs[i] + lens[i], LINE_MAX_LEN - 1 - lens[i]);
      if (got <= 0) { close(fd); fds[1 + i].fd = -1; continue; }
      lens[i] += (size_t)got;
      bufs[i][lens[i]] = '\0';
      while ((nl = strchr(bufs[i], '\n')) != NULL) {
        size_t used = (size_t)(nl - bufs[i]) + 1;
        *nl = '\0';
        handle(mc, fd, bufs[i]);
        memmove(bufs[i], bufs[i] + used, lens[i] - used + 1);
        lens[i] -= used;
      }
      if (lens[i] >= LINE_MAX_LEN - 1) { reply(fd, "error line too long\n", NULL); close(fd); fds[1 + i].fd = -1; }
    }
  }

  for (i = 0; i < MAX_CLIENTS; i++) if (fds[1 + i].fd >= 0) close(fds[1 + i].fd);
  close(lfd);
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
