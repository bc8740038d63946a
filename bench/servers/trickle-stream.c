// The trickle server of bench:client (b) in C, for `--trickle-server=c`: the same protocol and output as
// trickle-stream.mjs (first token FIRST_MS after the request arrived, then one every GAP_MS, each token its
// own write and so its own packet, text `|<absolute ms when written>`, GET /stats), without a JavaScript
// runtime's cost per write, to see how many packets/s one core of this machine can send at all.
// Built by the bench with `cc -O2`; prints `listening <port>` on stdout.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOT_MS 0.125
#define MAX_CONN 65536
#define MAX_LATE 4000000

typedef struct Stream {
  int fd;
  int active;
  int sent;
  double due_ms;
  struct Stream *next; // next in its wheel slot
  char in[4096];
  int in_len;
} Stream;

static Stream *conns[MAX_CONN];
static Stream **wheel;
static long wheel_mask;
static long cursor = -1;
static int active_streams = 0;
static double first_ms = 100, gap_ms = 10;
static int tokens = 100;
static double *lateness;
static long late_n = 0, writes = 0;
static char tail[512];
static int tail_len;
static const char *head = "{\"id\":\"cmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"m\"";
static const char *sse_headers = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: "
                                 "chunked\r\nconnection: keep-alive\r\n\r\n";

static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// Every token's frame is the same bytes but its 17-character write time (`<13-digit epoch ms>.<3 digits>`,
// good until the year 2286): built once in main, only the time is written per token (no printf per write).
static char token_frame[600];
static int token_frame_len, token_time_at;

static void put_epoch_ms(char *p) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  unsigned long long us = (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
  for (int i = 16; i >= 0; i--) {
    if (i == 13) {
      p[i] = '.';
      continue;
    }
    p[i] = (char)('0' + us % 10);
    us /= 10;
  }
}

static void write_all(int fd, const char *p, int n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return; // EAGAIN or a closed peer: the bench counts what arrived
    }
    p += w;
    n -= (int)w;
  }
}

static void schedule(Stream *s) {
  long slot = (long)(s->due_ms / SLOT_MS);
  if (cursor < 0) cursor = slot;
  else if (slot < cursor) slot = cursor; // overdue: the next slot served
  s->next = wheel[slot & wheel_mask];
  wheel[slot & wheel_mask] = s;
}

static void write_token(Stream *s, double now) {
  if (late_n < MAX_LATE) lateness[late_n++] = now - s->due_ms;
  writes++;
  put_epoch_ms(token_frame + token_time_at);
  write_all(s->fd, token_frame, token_frame_len);
  s->sent++;
  if (s->sent == tokens) {
    write_all(s->fd, tail, tail_len);
    s->active = 0;
    active_streams--;
    return;
  }
  s->due_ms += gap_ms;
  schedule(s);
}

static void poll_wheel(void) {
  double now = mono_ms();
  long last = (long)(now / SLOT_MS) - 1;
  while (cursor >= 0 && cursor <= last && active_streams > 0) {
    Stream *s = wheel[cursor & wheel_mask];
    wheel[cursor & wheel_mask] = NULL;
    cursor++;
    while (s) {
      Stream *next = s->next;
      // A stream due a lap or more later (the server fell further behind than the wheel spans, so its
      // slot wrapped around): back into the wheel, never written early.
      if (s->fd >= 0 && s->active) {
        if (s->due_ms > now) schedule(s);
        else write_token(s, now);
      }
      s = next;
    }
  }
  if (active_streams == 0) cursor = -1;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void respond_json(int fd, const char *body) {
  char buf[1024];
  int n = snprintf(buf, sizeof buf,
                   "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %zu\r\nconnection: "
                   "keep-alive\r\n\r\n%s",
                   strlen(body), body);
  write_all(fd, buf, n);
}

static void stats(int fd) {
  char body[256];
  if (late_n == 0) snprintf(body, sizeof body, "{\"writes\":%ld,\"minMs\":null,\"p50Ms\":null,\"p99Ms\":null,\"maxMs\":null}", writes);
  else {
    qsort(lateness, late_n, sizeof(double), cmp_double);
    snprintf(body, sizeof body, "{\"writes\":%ld,\"minMs\":%.6f,\"p50Ms\":%.6f,\"p99Ms\":%.6f,\"maxMs\":%.6f}", writes, lateness[0],
             lateness[(long)(0.5 * late_n)], lateness[(long)(0.99 * late_n)], lateness[late_n - 1]);
  }
  late_n = 0;
  writes = 0;
  respond_json(fd, body);
}

/** Serves every complete request in the connection's buffer (keep-alive POSTs with content-length, GETs). */
static void on_readable(Stream *s) {
  for (;;) {
    ssize_t n = read(s->fd, s->in + s->in_len, sizeof s->in - 1 - s->in_len);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      close(s->fd);
      if (s->active) active_streams--;
      s->active = 0;
      s->fd = -1; // a stream still in the wheel is skipped
      return;
    }
    if (n < 0) break;
    s->in_len += (int)n;
    if ((size_t)s->in_len >= sizeof s->in - 1) break;
  }
  double arrived = mono_ms();
  for (;;) {
    s->in[s->in_len] = 0;
    char *end = strstr(s->in, "\r\n\r\n");
    if (!end) return;
    int head_len = (int)(end - s->in);
    int body_len = 0;
    char *cl = strcasestr(s->in, "\r\ncontent-length:");
    if (cl && cl < end) body_len = atoi(cl + 17);
    int total = head_len + 4 + body_len;
    if (s->in_len < total) return;
    if (strncmp(s->in, "POST ", 5) == 0) {
      write_all(s->fd, sse_headers, (int)strlen(sse_headers));
      s->active = 1;
      s->sent = 0;
      s->due_ms = arrived + first_ms;
      active_streams++;
      schedule(s);
    } else if (strncmp(s->in, "GET /stats ", 11) == 0) stats(s->fd);
    else respond_json(s->fd, "{\"object\":\"list\",\"data\":[]}");
    memmove(s->in, s->in + total, s->in_len - total);
    s->in_len -= total;
  }
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  if (getenv("FIRST_MS")) first_ms = atof(getenv("FIRST_MS"));
  if (getenv("GAP_MS")) gap_ms = atof(getenv("GAP_MS"));
  if (getenv("TOKENS")) tokens = atoi(getenv("TOKENS"));
  long size = 1;
  // The wheel spans the longest wait (first token or gap) plus 2 s: a server that falls behind by less than
  // that keeps every stream in its own lap (a wrapped one is put back, see poll_wheel).
  while (size * SLOT_MS < (first_ms > gap_ms ? first_ms : gap_ms) + 2000) size *= 2;
  wheel = calloc(size, sizeof *wheel);
  wheel_mask = size - 1;
  lateness = malloc(sizeof(double) * MAX_LATE);
  char token_event[512];
  int ten = snprintf(token_event, sizeof token_event,
                     "data: %s,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"|%s\"},\"finish_reason\":null}]}\n\n",
                     head, "0000000000000.000");
  token_frame_len = snprintf(token_frame, sizeof token_frame, "%x\r\n%s\r\n", ten, token_event);
  token_time_at = (int)(strchr(token_frame, '|') - token_frame) + 1;
  char events[400];
  int en = snprintf(events, sizeof events,
                    "data: %s,\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":%d,\"total_"
                    "tokens\":%d}}\n\ndata: [DONE]\n\n",
                    head, tokens, tokens + 10);
  tail_len = snprintf(tail, sizeof tail, "%x\r\n%s\r\n0\r\n\r\n", en, events);

  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(ls, 4096) < 0) return 1;
  socklen_t alen = sizeof addr;
  getsockname(ls, (struct sockaddr *)&addr, &alen);
  printf("listening %d\n", ntohs(addr.sin_port));
  fflush(stdout);

  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  struct epoll_event ready[1024];
  for (;;) {
    // While streams are in flight, poll without sleeping (the server owns its core); else block.
    int n = epoll_wait(ep, ready, 1024, active_streams > 0 ? 0 : 100);
    for (int i = 0; i < n; i++) {
      int fd = ready[i].data.fd;
      if (fd == ls) {
        int c;
        while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          if (c >= MAX_CONN) {
            close(c);
            continue;
          }
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          // A fresh struct per connection: a closed one may still sit in a wheel slot (skipped, fd -1).
          conns[c] = calloc(1, sizeof(Stream));
          conns[c]->fd = c;
          struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
      } else if (conns[fd] && conns[fd]->fd == fd) on_readable(conns[fd]);
    }
    if (active_streams > 0) poll_wheel();
  }
}
