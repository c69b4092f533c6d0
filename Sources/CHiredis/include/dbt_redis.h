#ifndef DBT_REDIS_H
#define DBT_REDIS_H

#include <stddef.h>

/* A thin adapter over hiredis 0.14's blocking API (Debian libhiredis-dev): connect with a timeout, pipeline
   commands given as byte strings, and read each reply as one flat array the Swift side walks without touching
   hiredis structs. Nothing here retries, routes or interprets a reply: that lives in Swift. */

/* One blocking connection. Use it from one thread at a time. */
typedef struct dbt_redis_connection dbt_redis_connection;

/* How a call ended. The values are part of the Swift ABI: keep them stable. */
typedef enum {
    DBT_REDIS_OK = 0,
    /* Connecting, writing or reading took longer than the timeout. */
    DBT_REDIS_TIMEOUT = 1,
    /* The server closed the connection. */
    DBT_REDIS_CLOSED = 2,
    /* Any other I/O or protocol failure; the message buffer says which. */
    DBT_REDIS_FAILED = 3,
    /* A reply with more values than DBT_REDIS_MAX_VALUES, or an allocation failed. */
    DBT_REDIS_TOO_LARGE = 4,
} dbt_redis_status;

/* Reply value types; the same numbers as hiredis's REDIS_REPLY_*. */
typedef enum {
    DBT_REDIS_STRING = 1,
    DBT_REDIS_ARRAY = 2,
    DBT_REDIS_INTEGER = 3,
    DBT_REDIS_NIL = 4,
    DBT_REDIS_STATUS = 5,
    DBT_REDIS_ERROR = 6,
} dbt_redis_type;

/* The most values one reply may hold once flattened, and the most elements one array may announce (a CLUSTER SLOTS
   answer for a large cluster stays far below). */
#define DBT_REDIS_MAX_VALUES (1 << 20)

/* One value of a reply. An array is followed by its `elements` children, each with its own children (pre-order). */
typedef struct {
    int type;
    long long integer;
    const char *str; /* string, status and error bytes (not NUL-terminated for the caller's purposes) */
    size_t len;
    size_t elements; /* children of an array */
} dbt_redis_value;

/* A reply: `count` values in pre-order. Owns hiredis's reply until dbt_redis_reply_free. */
typedef struct {
    dbt_redis_value *values;
    size_t count;
    void *owner;
} dbt_redis_reply;

/* Connects to host:port within connect_timeout_ms, with TCP_NODELAY, then sets every later read and write to give
   up after command_timeout_ms. On success stores the connection in *out. On failure writes a message (never longer
   than message_len, always NUL-terminated) and returns the status. */
dbt_redis_status dbt_redis_connect(const char *host, int port, long connect_timeout_ms, long command_timeout_ms,
                                   dbt_redis_connection **out, char *message, size_t message_len);

/* Blocks SIGPIPE on the calling thread. hiredis writes with write(2), which raises SIGPIPE (and by default kills
   the process) when the server has closed the socket; with the signal blocked the write fails with EPIPE instead,
   which the caller reports as a closed connection. Call it once on each thread that does I/O here. */
void dbt_redis_block_sigpipe(void);

/* Closes the connection and frees it. Accepts NULL. */
void dbt_redis_close(dbt_redis_connection *connection);

/* Queues one command (argc byte strings) in the output buffer; nothing is sent until a read. */
dbt_redis_status dbt_redis_append(dbt_redis_connection *connection, int argc, const char *const *argv,
                                  const size_t *lengths, char *message, size_t message_len);

/* Sends what is queued and reads the next reply, flattened into *out (free it with dbt_redis_reply_free). */
dbt_redis_status dbt_redis_read(dbt_redis_connection *connection, dbt_redis_reply *out, char *message,
                                size_t message_len);

/* The calls below serve a connection shared by two kinds of thread: callers write commands they encoded themselves
   (never blocking), and one thread per node waits, reads and parses the replies of all its connections. hiredis's own output
   buffer is not used once the connection is shared (only dbt_redis_append/dbt_redis_read, before it is). */

/* Writes up to len bytes without blocking (MSG_DONTWAIT; no SIGPIPE) and stores in *written how many went out, 0 when
   the socket buffer is full. DBT_REDIS_CLOSED when the server closed the connection; nothing was written then. */
dbt_redis_status dbt_redis_send(dbt_redis_connection *connection, const void *bytes, size_t len, size_t *written,
                                char *message, size_t message_len);

/* What dbt_redis_poll saw on a connection; a bit set. */
enum {
    DBT_REDIS_READABLE = 1, /* a reply (or a hang-up) to read */
    DBT_REDIS_WRITABLE = 2, /* room in the socket buffer, when asked for */
};

/* Blocks until one of the count connections is readable (or writable, where want_write[i]), wake_fd is readable, or
   timeout_ms passes (-1: no timeout). Stores each connection's DBT_REDIS_* bits in seen[i] (a NULL connection is
   skipped and sees 0). Returns 1 when wake_fd was readable (its bytes are then drained), else 0. */
int dbt_redis_poll(dbt_redis_connection *const *connections, const int *want_write, int *seen, size_t count,
                   int wake_fd, long timeout_ms);

/* Reads what the socket holds (one read(2), which blocks only when nothing is there) into the connection's reply
   reader. Call it after dbt_redis_poll reports DBT_REDIS_READABLE. */
dbt_redis_status dbt_redis_receive(dbt_redis_connection *connection, char *message, size_t message_len);

/* Takes the next complete reply out of what dbt_redis_receive read: DBT_REDIS_OK with *out filled (free it with
   dbt_redis_reply_free), DBT_REDIS_OK with out->count == 0 when no complete reply is buffered, or a failure (a
   protocol error or an over-large reply). */
dbt_redis_status dbt_redis_next_reply(dbt_redis_connection *connection, dbt_redis_reply *out, char *message,
                                      size_t message_len);

/* A wake-up channel for a thread blocked in dbt_redis_wait: a pipe, both ends non-blocking and close-on-exec.
   Returns 0 on success, -1 when no pipe could be made. */
int dbt_redis_wake_open(int *read_fd, int *write_fd);

/* Makes wake_fd (the read end) readable; never blocks (a full pipe already wakes). */
void dbt_redis_wake_signal(int write_fd);

/* Closes both ends. */
void dbt_redis_wake_close(int read_fd, int write_fd);

/* Parses the first reply in `len` bytes of RESP (as a server sends it) with the same hiredis reader and the same
   flattening as dbt_redis_read, without a connection: the entry point for fuzzing reply parsing. A protocol error
   or an incomplete reply is DBT_REDIS_FAILED, with the reader's message; an array of more than
   DBT_REDIS_MAX_VALUES elements is DBT_REDIS_TOO_LARGE, as it is on a connection. */
dbt_redis_status dbt_redis_parse(const char *bytes, size_t len, dbt_redis_reply *out, char *message,
                                 size_t message_len);

/* Frees a reply read by dbt_redis_read or dbt_redis_parse. Accepts a zeroed reply. */
void dbt_redis_reply_free(dbt_redis_reply *reply);

#endif
