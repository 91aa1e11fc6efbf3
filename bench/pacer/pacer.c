/*
 * pacer: an open-loop, fixed-rate HTTP/1.1 load generator for latency measurements.
 *
 * Requests are due at evenly spaced instants (t0 + i / rate). When one is due it is written on an
 * idle keep-alive connection taken from a FIFO (so all connections are used in turn, like many
 * independent clients); when no connection is idle it waits and is sent as soon as one frees.
 * Latency is measured from the instant the request was due, not from when it could be sent, so a
 * stall of the server under test is charged to every request it delays (no coordinated omission).
 * The time from the actual write to the last byte of the response is reported too ("service").
 *
 * One thread, epoll, a timerfd armed at the next due instant (absolute CLOCK_MONOTONIC, 1 ns timer
 * slack), nanosecond clocks: its own cost per request is a few microseconds, and it does not
 * compete for the cores with more than one thread. Responses are parsed as far as HTTP/1.1 framing
 * needs (status, Content-Length or chunked, Connection: close).
 *
 * Why not a packaged tool: wrk has no fixed rate; hey paces each worker with its own Go ticker
 * (workers fire in lockstep, 0.1 ms resolution, and 20 processes of it cost the shared cores
 * noticeable CPU); wrk2 is not packaged by Debian.
 *
 * Usage: pacer -u http://HOST:PORT/PATH -r RATE -d SECONDS [-w WARMUP_SECONDS] [-c CONNECTIONS]
 *              [-m METHOD] [-b BODY_FILE] [-H 'Name: value']... [-t TIMEOUT_SECONDS] [-o CSV_FILE]
 * Prints one line of key=value pairs; latencies in microseconds. -o writes every measured request
 * (due instant in ms after the warm-up, latency and service time in microseconds, and the due
 * instant on CLOCK_MONOTONIC for lining it up with e.g. `perf sched record -k CLOCK_MONOTONIC`) in
 * the order they completed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEADERS 32

typedef struct {
    int fd;
    int busy;            /* a request is written or being written and its response not complete */
    int index;           /* position in conns[] */
    size_t wpos;         /* bytes of the request written so far */
    uint64_t due;        /* instant the request in flight was due */
    uint64_t sent;       /* instant its first byte was written */
    int recorded;        /* whether its latency counts (due after the warm-up) */
    char *rbuf;
    size_t rlen, rcap;
} conn_t;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pacer: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static struct sockaddr_storage target_addr;
static socklen_t target_len;
static int epfd;
static char *request;
static size_t request_len;

/* Idle connections, FIFO. */
static int *idle;
static int idle_head, idle_count, nconns;
static conn_t *conns;

static void idle_push(int i) {
    idle[(idle_head + idle_count) % nconns] = i;
    idle_count++;
}

static int idle_pop(void) {
    int i = idle[idle_head];
    idle_head = (idle_head + 1) % nconns;
    idle_count--;
    return i;
}

static int open_connection(void) {
    int fd = socket(target_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        die("socket: %s", strerror(errno));
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *) &target_addr, target_len) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void watch(conn_t *c, int writable) {
    struct epoll_event ev = {.events = EPOLLIN | (writable ? EPOLLOUT : 0), .data.u32 = (uint32_t) c->index};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
        die("epoll_ctl: %s", strerror(errno));
    }
}

static void attach(conn_t *c) {
    c->fd = open_connection();
    if (c->fd < 0) {
        die("cannot connect: %s", strerror(errno));
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t) c->index};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
        die("epoll_ctl: %s", strerror(errno));
    }
    c->busy = 0;
    c->rlen = 0;
    c->wpos = 0;
}

/* Closes a connection and opens a fresh one in its place (idle). */
static void reconnect(conn_t *c) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    attach(c);
}

static uint64_t start_ns, warmup_end_ns, period_ns;

/* Results. */
static uint32_t *latency_us, *service_us, *due_ms;
static uint64_t *due_mono_us;
static size_t recorded, capacity;
static uint64_t completed, errors, non2xx, timeouts, reconnects;

static void record(conn_t *c, uint64_t end) {
    if (!c->recorded) {
        return;
    }
    if (recorded < capacity) {
        latency_us[recorded] = (uint32_t) ((end - c->due) / 1000);
        service_us[recorded] = (uint32_t) ((end - c->sent) / 1000);
        due_ms[recorded] = (uint32_t) ((c->due - warmup_end_ns) / 1000000);
        due_mono_us[recorded] = c->due / 1000;
        recorded++;
    }
}

/* Writes as much of the request as the socket takes; 0 on success, -1 when the connection broke. */
static int write_more(conn_t *c) {
    while (c->wpos < request_len) {
        ssize_t n = write(c->fd, request + c->wpos, request_len - c->wpos);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                watch(c, 1);
                return 0;
            }
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        c->wpos += (size_t) n;
    }
    return 0;
}

static void send_on(conn_t *c, uint64_t due, int counted, uint64_t now) {
    c->busy = 1;
    c->due = due;
    c->sent = now;
    c->recorded = counted;
    c->wpos = 0;
    if (write_more(c) != 0) {
        errors++;
        reconnect(c);
        idle_push(c->index);
    }
}

/* Finds "\r\n\r\n"; returns the offset after it or 0. */
static size_t header_end(const char *buf, size_t len) {
    for (size_t i = 3; i < len; i++) {
        if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r') {
            return i + 1;
        }
    }
    return 0;
}

/* Value of a header in the head (case-insensitive name), copied into out; 1 when present. */
static int header_value(const char *head, size_t head_len, const char *name, char *out, size_t out_len) {
    size_t name_len = strlen(name);
    const char *p = memchr(head, '\n', head_len);
    const char *end = head + head_len;
    while (p != NULL && p + 1 < end) {
        const char *line = p + 1;
        const char *eol = memchr(line, '\n', (size_t) (end - line));
        if (eol == NULL) {
            break;
        }
        if ((size_t) (eol - line) > name_len && strncasecmp(line, name, name_len) == 0 && line[name_len] == ':') {
            const char *v = line + name_len + 1;
            while (v < eol && (*v == ' ' || *v == '\t')) {
                v++;
            }
            const char *ve = eol;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ')) {
                ve--;
            }
            size_t n = (size_t) (ve - v) < out_len - 1 ? (size_t) (ve - v) : out_len - 1;
            memcpy(out, v, n);
            out[n] = 0;
            return 1;
        }
        p = eol;
    }
    return 0;
}

/*
 * Length of the complete response at the start of buf: 0 when more bytes are needed, -1 when it
 * cannot be framed. Sets *status and *close_after.
 */
static long response_length(const char *buf, size_t len, int *status, int *close_after) {
    size_t head = header_end(buf, len);
    if (head == 0) {
        return len > 65536 ? -1 : 0;
    }
    if (head < 12 || strncmp(buf, "HTTP/1.", 7) != 0) {
        return -1;
    }
    *status = atoi(buf + 9);
    char value[64];
    *close_after = header_value(buf, head, "connection", value, sizeof value) && strcasecmp(value, "close") == 0;
    if (*status / 100 == 1 || *status == 204 || *status == 304) {
        return (long) head;
    }
    if (header_value(buf, head, "transfer-encoding", value, sizeof value) && strcasestr(value, "chunked") != NULL) {
        size_t pos = head;
        for (;;) {
            const char *eol = memmem(buf + pos, len - pos, "\r\n", 2);
            if (eol == NULL) {
                return 0;
            }
            char *digits_end;
            unsigned long size = strtoul(buf + pos, &digits_end, 16);
            if (digits_end == buf + pos || size > (1ul << 40)) {
                return -1; /* not a chunk size, or one no test response has */
            }
            pos = (size_t) (eol - buf) + 2;
            if (size == 0) {
                /* trailers end with an empty line */
                for (;;) {
                    const char *t = memmem(buf + pos, len - pos, "\r\n", 2);
                    if (t == NULL) {
                        return 0;
                    }
                    if (t == buf + pos) {
                        return (long) (pos + 2);
                    }
                    pos = (size_t) (t - buf) + 2;
                }
            }
            if (size + 2 > len - pos) {
                return 0;
            }
            pos += size + 2;
        }
    }
    if (header_value(buf, head, "content-length", value, sizeof value)) {
        char *digits_end;
        long body = strtol(value, &digits_end, 10);
        if (digits_end == value || *digits_end != 0 || body < 0 || body > (1l << 40)) {
            return -1;
        }
        return len >= head + (size_t) body ? (long) (head + (size_t) body) : 0;
    }
    return -1; /* close-delimited bodies are not used by the hops measured */
}

/* Reads what arrived; when a response is complete, records it and returns the connection to the idle FIFO. */
static void on_readable(conn_t *c) {
    for (;;) {
        if (c->rcap - c->rlen < 16384) {
            c->rcap *= 2;
            c->rbuf = realloc(c->rbuf, c->rcap);
            if (c->rbuf == NULL) {
                die("out of memory");
            }
        }
        ssize_t n = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            }
            if (errno == EINTR) {
                continue;
            }
            n = 0;
        }
        if (n == 0) {
            /* closed: an error when a response was expected; an idle connection is already queued */
            int was_busy = c->busy;
            reconnects++;
            reconnect(c);
            if (was_busy) {
                errors++;
                idle_push(c->index);
            }
            return;
        }
        size_t room = c->rcap - c->rlen;
        c->rlen += (size_t) n;
        if ((size_t) n < room) {
            break; /* the socket had less than the buffer could take: drained */
        }
    }
    if (!c->busy) {
        c->rlen = 0; /* unsolicited bytes */
        return;
    }
    int status = 0, close_after = 0;
    long length = response_length(c->rbuf, c->rlen, &status, &close_after);
    /* interim 1xx answers (100 Continue, 103 Early Hints) precede the real one: drop them */
    while (length > 0 && status >= 100 && status < 200 && status != 101) {
        memmove(c->rbuf, c->rbuf + length, c->rlen - (size_t) length);
        c->rlen -= (size_t) length;
        length = response_length(c->rbuf, c->rlen, &status, &close_after);
    }
    if (length == 0) {
        return;
    }
    uint64_t end = now_ns();
    if (c->wpos < request_len) {
        /* answered before the whole request was written: the rest cannot go out on this connection */
        close_after = 1;
    }
    if (length < 0) {
        errors++;
        reconnects++;
        reconnect(c);
        idle_push(c->index);
        return;
    }
    completed++;
    if (status < 200 || status > 299) {
        non2xx++;
    } else {
        record(c, end);
    }
    c->busy = 0;
    c->rlen = 0;
    if (close_after) {
        reconnects++;
        reconnect(c);
    }
    idle_push(c->index);
}

static int counted_due(uint64_t due) {
    return due >= warmup_end_ns;
}

static int compare_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return x < y ? -1 : x > y;
}

static uint32_t percentile(const uint32_t *sorted, size_t n, double q) {
    if (n == 0) {
        return 0;
    }
    size_t rank = (size_t) (q * (double) n + 0.999999);
    if (rank < 1) {
        rank = 1;
    }
    if (rank > n) {
        rank = n;
    }
    return sorted[rank - 1];
}

int main(int argc, char **argv) {
    const char *url = NULL, *body_file = NULL, *method = NULL, *dump = NULL;
    const char *headers[MAX_HEADERS];
    int nheaders = 0;
    double rate = 1000, seconds = 10, warmup = 0, timeout = 5;
    nconns = 50;
    int opt;
    while ((opt = getopt(argc, argv, "u:r:d:w:c:m:b:H:t:o:")) != -1) {
        switch (opt) {
            case 'u': url = optarg; break;
            case 'r': rate = atof(optarg); break;
            case 'd': seconds = atof(optarg); break;
            case 'w': warmup = atof(optarg); break;
            case 'c': nconns = atoi(optarg); break;
            case 'm': method = optarg; break;
            case 'b': body_file = optarg; break;
            case 'H':
                if (nheaders == MAX_HEADERS) {
                    die("at most %d headers", MAX_HEADERS);
                }
                headers[nheaders++] = optarg;
                break;
            case 't': timeout = atof(optarg); break;
            case 'o': dump = optarg; break;
            default:
                die("usage: pacer -u http://HOST:PORT/PATH -r RATE -d SECONDS [-w WARMUP] [-c CONNECTIONS] "
                    "[-m METHOD] [-b BODY_FILE] [-H 'Name: value']... [-t TIMEOUT] [-o CSV_FILE]");
        }
    }
    if (url == NULL || strncmp(url, "http://", 7) != 0) {
        die("-u http://HOST:PORT/PATH is required");
    }
    if (rate <= 0 || seconds <= 0 || nconns < 1 || warmup < 0 || timeout <= 0) {
        die("rate, duration, connections and timeout must be positive");
    }

    /* URL */
    char host[256], port[16] = "80";
    const char *hp = url + 7;
    const char *slash = strchr(hp, '/');
    const char *path = slash != NULL ? slash : "/";
    size_t hp_len = slash != NULL ? (size_t) (slash - hp) : strlen(hp);
    if (hp_len == 0 || hp_len >= sizeof host) {
        die("bad host in %s", url);
    }
    memcpy(host, hp, hp_len);
    host[hp_len] = 0;
    char authority[280];
    snprintf(authority, sizeof authority, "%s", host);
    char *colon = strrchr(host, ':');
    if (colon != NULL) {
        snprintf(port, sizeof port, "%s", colon + 1);
        *colon = 0;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
    int gai = getaddrinfo(host, port, &hints, &ai);
    if (gai != 0) {
        die("cannot resolve %s: %s", host, gai_strerror(gai));
    }
    memcpy(&target_addr, ai->ai_addr, ai->ai_addrlen);
    target_len = ai->ai_addrlen;
    freeaddrinfo(ai);

    /* request bytes */
    char *body = NULL;
    size_t body_len = 0;
    if (body_file != NULL) {
        FILE *f = fopen(body_file, "rb");
        if (f == NULL) {
            die("cannot read %s: %s", body_file, strerror(errno));
        }
        fseek(f, 0, SEEK_END);
        body_len = (size_t) ftell(f);
        fseek(f, 0, SEEK_SET);
        body = malloc(body_len + 1);
        if (fread(body, 1, body_len, f) != body_len) {
            die("cannot read %s", body_file);
        }
        fclose(f);
    }
    if (method == NULL) {
        method = body != NULL ? "POST" : "GET";
    }
    size_t cap = 128 + strlen(method) + strlen(path) + strlen(authority) + body_len;
    for (int i = 0; i < nheaders; i++) {
        cap += strlen(headers[i]) + 2;
    }
    request = malloc(cap);
    int n = snprintf(request, cap, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, authority);
    if (body != NULL) {
        n += snprintf(request + n, cap - (size_t) n, "Content-Length: %zu\r\n", body_len);
    }
    for (int i = 0; i < nheaders; i++) {
        n += snprintf(request + n, cap - (size_t) n, "%s\r\n", headers[i]);
    }
    n += snprintf(request + n, cap - (size_t) n, "\r\n");
    if (body != NULL) {
        memcpy(request + n, body, body_len);
    }
    if ((size_t) n >= cap - body_len) {
        die("request head too long");
    }
    request_len = (size_t) n + body_len;
    free(body);

    signal(SIGPIPE, SIG_IGN); /* a peer that closed: write() fails with EPIPE instead */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (epfd < 0 || tfd < 0) {
        die("epoll/timerfd: %s", strerror(errno));
    }
    struct epoll_event tev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &tev);

    conns = calloc((size_t) nconns, sizeof *conns);
    idle = calloc((size_t) nconns, sizeof *idle);
    for (int i = 0; i < nconns; i++) {
        conns[i].index = i;
        conns[i].rcap = 65536;
        conns[i].rbuf = malloc(conns[i].rcap);
        attach(&conns[i]);
        idle_push(i);
    }

    period_ns = (uint64_t) (1e9 / rate);
    uint64_t total = (uint64_t) ((warmup + seconds) * rate);
    capacity = (size_t) (seconds * rate) + 16;
    latency_us = malloc(capacity * sizeof *latency_us);
    service_us = malloc(capacity * sizeof *service_us);
    due_ms = malloc(capacity * sizeof *due_ms);
    due_mono_us = malloc(capacity * sizeof *due_mono_us);
    uint64_t timeout_ns = (uint64_t) (timeout * 1e9);

    start_ns = now_ns() + 10000000ull; /* first request 10 ms from now */
    warmup_end_ns = start_ns + (uint64_t) (warmup * 1e9);
    uint64_t next_index = 0;      /* next request to become due */
    size_t pending = 0;           /* requests due but not yet sent (all connections were busy); they
                                     are the `pending` ones before next_index, sent oldest first */
    uint64_t last_due = start_ns + (total - 1) * period_ns;
    uint64_t last_check = 0;
    struct epoll_event events[64];

    for (;;) {
        uint64_t now = now_ns();
        /* requests that became due */
        while (next_index < total && start_ns + next_index * period_ns <= now) {
            uint64_t due = start_ns + next_index * period_ns;
            next_index++;
            if (pending == 0 && idle_count > 0) {
                send_on(&conns[idle_pop()], due, counted_due(due), now);
            } else {
                pending++;
            }
        }
        /* timeouts, every 10 ms */
        if (now - last_check > 10000000ull) {
            last_check = now;
            for (int i = 0; i < nconns; i++) {
                if (conns[i].busy && now - conns[i].due > timeout_ns) {
                    timeouts++;
                    errors++;
                    reconnects++;
                    reconnect(&conns[i]);
                    idle_push(i);
                }
            }
        }
        int in_flight = 0;
        for (int i = 0; i < nconns && !in_flight; i++) {
            in_flight = conns[i].busy;
        }
        if (next_index >= total && pending == 0 && !in_flight) {
            break;
        }
        if (now > last_due + timeout_ns + 1000000000ull) {
            break;
        }
        /* sleep until the next due instant (or a socket event) */
        if (next_index < total) {
            uint64_t due = start_ns + next_index * period_ns;
            struct itimerspec its = {.it_value = {.tv_sec = (time_t) (due / 1000000000ull),
                                                  .tv_nsec = (long) (due % 1000000000ull)}};
            timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
        }
        int ready = epoll_wait(epfd, events, 64, next_index < total ? -1 : 10);
        if (ready < 0 && errno != EINTR) {
            die("epoll_wait: %s", strerror(errno));
        }
        for (int e = 0; e < ready; e++) {
            uint32_t id = events[e].data.u32;
            if (id == UINT32_MAX) {
                uint64_t expirations;
                ssize_t ignored = read(tfd, &expirations, sizeof expirations);
                (void) ignored;
                continue;
            }
            conn_t *c = &conns[id];
            if (events[e].events & EPOLLOUT) {
                if (c->busy && write_more(c) != 0) {
                    errors++;
                    reconnects++;
                    reconnect(c);
                    idle_push(c->index);
                    continue;
                }
                if (c->wpos >= request_len) {
                    watch(c, 0);
                }
            }
            if (events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                on_readable(c);
            }
        }
        /* requests that waited for a connection go out on the ones that became idle */
        if (pending > 0 && idle_count > 0) {
            uint64_t sent = now_ns();
            while (pending > 0 && idle_count > 0) {
                uint64_t due = start_ns + (next_index - pending) * period_ns;
                pending--;
                send_on(&conns[idle_pop()], due, counted_due(due), sent);
            }
        }
    }

    /* requests still waiting for a connection or an answer when the run ended count as timeouts */
    for (int i = 0; i < nconns; i++) {
        if (conns[i].busy) {
            timeouts++;
            errors++;
        }
    }
    timeouts += pending;
    errors += pending;

    if (dump != NULL) {
        FILE *f = fopen(dump, "w");
        if (f == NULL) {
            die("cannot write %s: %s", dump, strerror(errno));
        }
        fprintf(f, "due_ms,latency_us,service_us,due_monotonic_us\n");
        for (size_t i = 0; i < recorded; i++) {
            fprintf(f, "%u,%u,%u,%llu\n", due_ms[i], latency_us[i], service_us[i],
                    (unsigned long long) due_mono_us[i]);
        }
        fclose(f);
    }
    double secs = seconds;
    qsort(latency_us, recorded, sizeof *latency_us, compare_u32);
    qsort(service_us, recorded, sizeof *service_us, compare_u32);
    double sum = 0;
    for (size_t i = 0; i < recorded; i++) {
        sum += latency_us[i];
    }
    printf("completed=%llu requests=%zu rate=%.1f errors=%llu non2xx=%llu timeouts=%llu reconnects=%llu "
           "p50_us=%u p90_us=%u p99_us=%u p999_us=%u max_us=%u mean_us=%.1f "
           "service_p50_us=%u service_p99_us=%u\n",
           (unsigned long long) completed, recorded, (double) recorded / secs, (unsigned long long) errors, (unsigned long long) non2xx,
           (unsigned long long) timeouts, (unsigned long long) reconnects,
           percentile(latency_us, recorded, 0.50), percentile(latency_us, recorded, 0.90),
           percentile(latency_us, recorded, 0.99), percentile(latency_us, recorded, 0.999),
           recorded ? latency_us[recorded - 1] : 0, recorded ? sum / (double) recorded : 0.0,
           percentile(service_us, recorded, 0.50), percentile(service_us, recorded, 0.99));
    return errors > 0 || non2xx > 0 ? 1 : 0;
}
