#include "dbt_redis.h"

#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dbt_redis_connection {
    redisContext *context;
};

/* hiredis 0.14 allocates an array's element table as soon as it reads the header `*<count>`, before any element
   arrives: thirteen bytes from a server (or from anything between it and us) made it ask for 14 GB (found by
   Fuzz/Sources/FuzzRedisReply). Every reader here gets reply functions that wrap hiredis's own and refuse an array
   of more than DBT_REDIS_MAX_VALUES elements; hiredis reports the refusal as out of memory (DBT_REDIS_TOO_LARGE). */
static redisReplyObjectFunctions hiredis_functions, bounded_functions;
static pthread_once_t functions_once = PTHREAD_ONCE_INIT;

static void *create_bounded_array(const redisReadTask *task, int elements) {
    if (elements < 0 || (size_t)elements > DBT_REDIS_MAX_VALUES) return NULL;
    return hiredis_functions.createArray(task, elements);
}

static void copy_functions(void) {
    redisReader *reader = redisReaderCreate();
    if (reader == NULL) return;
    hiredis_functions = *reader->fn;
    redisReaderFree(reader);
    bounded_functions = hiredis_functions;
    bounded_functions.createArray = create_bounded_array;
}

/* Returns 0 when the reader's functions could not be bounded (hiredis could not make a reader: out of memory). */
static int bound_reader(redisReader *reader) {
    pthread_once(&functions_once, copy_functions);
    if (hiredis_functions.createArray == NULL) return 0;
    reader->fn = &bounded_functions;
    return 1;
}

static struct timeval timeval_from_ms(long ms) {
    struct timeval tv;
    if (ms < 1) ms = 1;
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    return tv;
}

static void set_message(char *message, size_t message_len, const char *text) {
    if (message == NULL || message_len == 0) return;
    snprintf(message, message_len, "%s", text);
}

/* hiredis reports a timeout as an I/O error; errno (read right after the failing call) tells it apart:
   EAGAIN from a socket read or write with SO_RCVTIMEO/SO_SNDTIMEO, ETIMEDOUT from the connect poll. */
static dbt_redis_status status_of(const redisContext *context, int saved_errno) {
    if (context->err == REDIS_ERR_EOF) return DBT_REDIS_CLOSED;
    if (context->err == REDIS_ERR_IO) {
        if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT ||
            saved_errno == EINPROGRESS)
            return DBT_REDIS_TIMEOUT;
        if (saved_errno == ECONNRESET || saved_errno == EPIPE) return DBT_REDIS_CLOSED;
    }
    if (context->err == REDIS_ERR_OOM) return DBT_REDIS_TOO_LARGE;
    return DBT_REDIS_FAILED;
}

dbt_redis_status dbt_redis_connect(const char *host, int port, long connect_timeout_ms, long command_timeout_ms,
                                   dbt_redis_connection **out, char *message, size_t message_len) {
    *out = NULL;
    redisContext *context = redisConnectWithTimeout(host, port, timeval_from_ms(connect_timeout_ms));
    int saved_errno = errno;
    if (context == NULL) {
        set_message(message, message_len, "out of memory");
        return DBT_REDIS_TOO_LARGE;
    }
    if (context->err) {
        dbt_redis_status status = status_of(context, saved_errno);
        set_message(message, message_len, context->errstr);
        redisFree(context);
        return status;
    }
    if (!bound_reader(context->reader)) {
        set_message(message, message_len, "out of memory");
        redisFree(context);
        return DBT_REDIS_TOO_LARGE;
    }
#ifdef SO_NOSIGPIPE
    /* Darwin has no MSG_NOSIGNAL: the socket itself must not raise SIGPIPE on a caller's thread. */
    int on = 1;
    setsockopt(context->fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);
#endif
    if (redisSetTimeout(context, timeval_from_ms(command_timeout_ms)) != REDIS_OK) {
        set_message(message, message_len, "cannot set the socket timeout");
        redisFree(context);
        return DBT_REDIS_FAILED;
    }
    dbt_redis_connection *connection = malloc(sizeof *connection);
    if (connection == NULL) {
        redisFree(context);
        set_message(message, message_len, "out of memory");
        return DBT_REDIS_TOO_LARGE;
    }
    connection->context = context;
    *out = connection;
    return DBT_REDIS_OK;
}

void dbt_redis_block_sigpipe(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void dbt_redis_close(dbt_redis_connection *connection) {
    if (connection == NULL) return;
    redisFree(connection->context);
    free(connection);
}

dbt_redis_status dbt_redis_append(dbt_redis_connection *connection, int argc, const char *const *argv,
                                  const size_t *lengths, char *message, size_t message_len) {
    if (redisAppendCommandArgv(connection->context, argc, (const char **)argv, lengths) != REDIS_OK) {
        set_message(message, message_len, "cannot queue the command");
        return DBT_REDIS_TOO_LARGE;
    }
    return DBT_REDIS_OK;
}

static size_t count_values(const redisReply *reply, size_t budget) {
    size_t count = 1;
    if (reply->type == REDIS_REPLY_ARRAY) {
        for (size_t i = 0; i < reply->elements && count <= budget; i++) {
            count += count_values(reply->element[i], budget - count);
        }
    }
    return count;
}

static size_t flatten(const redisReply *reply, dbt_redis_value *values, size_t index) {
    dbt_redis_value *value = &values[index++];
    value->type = reply->type;
    value->integer = reply->integer;
    value->str = reply->str;
    value->len = reply->str != NULL ? reply->len : 0;
    value->elements = reply->type == REDIS_REPLY_ARRAY ? reply->elements : 0;
    if (reply->type == REDIS_REPLY_ARRAY) {
        for (size_t i = 0; i < reply->elements; i++) index = flatten(reply->element[i], values, index);
    }
    return index;
}

/* Flattens a reply hiredis made into *out, which then owns it (dbt_redis_reply_free frees both). */
static dbt_redis_status take_reply(void *raw, dbt_redis_reply *out, char *message, size_t message_len) {
    redisReply *reply = raw;
    size_t count = count_values(reply, DBT_REDIS_MAX_VALUES);
    if (count > DBT_REDIS_MAX_VALUES) {
        freeReplyObject(reply);
        set_message(message, message_len, "reply too large");
        return DBT_REDIS_TOO_LARGE;
    }
    dbt_redis_value *values = calloc(count, sizeof *values);
    if (values == NULL) {
        freeReplyObject(reply);
        set_message(message, message_len, "out of memory");
        return DBT_REDIS_TOO_LARGE;
    }
    flatten(reply, values, 0);
    out->values = values;
    out->count = count;
    out->owner = reply;
    return DBT_REDIS_OK;
}

dbt_redis_status dbt_redis_read(dbt_redis_connection *connection, dbt_redis_reply *out, char *message,
                                size_t message_len) {
    memset(out, 0, sizeof *out);
    void *raw = NULL;
    errno = 0;
    int result = redisGetReply(connection->context, &raw);
    int saved_errno = errno;
    if (result != REDIS_OK || raw == NULL) {
        set_message(message, message_len, connection->context->errstr);
        return connection->context->err ? status_of(connection->context, saved_errno) : DBT_REDIS_FAILED;
    }
    return take_reply(raw, out, message, message_len);
}

dbt_redis_status dbt_redis_send(dbt_redis_connection *connection, const void *bytes, size_t len, size_t *written,
                                char *message, size_t message_len) {
    *written = 0;
#ifdef MSG_NOSIGNAL
    int flags = MSG_DONTWAIT | MSG_NOSIGNAL;
#else
    int flags = MSG_DONTWAIT; /* Darwin: SO_NOSIGPIPE, set at connect */
#endif
    while (1) {
        ssize_t sent = send(connection->context->fd, bytes, len, flags);
        if (sent >= 0) {
            *written = (size_t)sent;
            return DBT_REDIS_OK;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return DBT_REDIS_OK;
        int saved_errno = errno;
        set_message(message, message_len, strerror(saved_errno));
        return saved_errno == EPIPE || saved_errno == ECONNRESET ? DBT_REDIS_CLOSED : DBT_REDIS_FAILED;
    }
}

int dbt_redis_poll(dbt_redis_connection *const *connections, const int *want_write, int *seen, size_t count,
                   int wake_fd, long timeout_ms) {
    struct pollfd stack[9];
    struct pollfd *descriptors = count < 9 ? stack : calloc(count + 1, sizeof *descriptors);
    if (descriptors == NULL) return 1; /* out of memory: the caller looks at everything again */
    descriptors[0] = (struct pollfd){.fd = wake_fd, .events = POLLIN, .revents = 0};
    for (size_t i = 0; i < count; i++) {
        descriptors[i + 1] = (struct pollfd){
            .fd = connections[i] != NULL ? connections[i]->context->fd : -1,
            .events = (short)(POLLIN | (want_write[i] ? POLLOUT : 0)),
            .revents = 0,
        };
    }
    int ready = poll(descriptors, (nfds_t)(count + 1), timeout_ms < 0 ? -1 : (int)timeout_ms);
    int woken = 0;
    for (size_t i = 0; i < count; i++) {
        short revents = ready > 0 ? descriptors[i + 1].revents : 0;
        seen[i] = ((revents & (POLLIN | POLLHUP | POLLERR)) ? DBT_REDIS_READABLE : 0) |
                  ((revents & POLLOUT) ? DBT_REDIS_WRITABLE : 0);
    }
    if (ready > 0 && descriptors[0].revents != 0) {
        char drain[64];
        while (read(wake_fd, drain, sizeof drain) == (ssize_t)sizeof drain) {
        }
        woken = 1;
    }
    if (descriptors != stack) free(descriptors);
    return woken;
}

dbt_redis_status dbt_redis_receive(dbt_redis_connection *connection, char *message, size_t message_len) {
    errno = 0;
    if (redisBufferRead(connection->context) != REDIS_OK) {
        int saved_errno = errno;
        set_message(message, message_len, connection->context->errstr);
        return status_of(connection->context, saved_errno);
    }
    return DBT_REDIS_OK;
}

dbt_redis_status dbt_redis_next_reply(dbt_redis_connection *connection, dbt_redis_reply *out, char *message,
                                      size_t message_len) {
    memset(out, 0, sizeof *out);
    void *raw = NULL;
    if (redisGetReplyFromReader(connection->context, &raw) != REDIS_OK) {
        set_message(message, message_len, connection->context->errstr);
        return connection->context->err == REDIS_ERR_OOM ? DBT_REDIS_TOO_LARGE : DBT_REDIS_FAILED;
    }
    if (raw == NULL) return DBT_REDIS_OK;
    return take_reply(raw, out, message, message_len);
}

int dbt_redis_wake_open(int *read_fd, int *write_fd) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        int flags = fcntl(fds[i], F_GETFL);
        if (flags < 0 || fcntl(fds[i], F_SETFL, flags | O_NONBLOCK) != 0 || fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0) {
            close(fds[0]);
            close(fds[1]);
            return -1;
        }
    }
    *read_fd = fds[0];
    *write_fd = fds[1];
    return 0;
}

void dbt_redis_wake_signal(int write_fd) {
    char byte = 1;
    while (write(write_fd, &byte, 1) < 0 && errno == EINTR) {
    }
}

void dbt_redis_wake_close(int read_fd, int write_fd) {
    close(read_fd);
    close(write_fd);
}

dbt_redis_status dbt_redis_parse(const char *bytes, size_t len, dbt_redis_reply *out, char *message,
                                 size_t message_len) {
    memset(out, 0, sizeof *out);
    redisReader *reader = redisReaderCreate();
    if (reader == NULL || !bound_reader(reader)) {
        redisReaderFree(reader);
        set_message(message, message_len, "out of memory");
        return DBT_REDIS_TOO_LARGE;
    }
    void *raw = NULL;
    if (redisReaderFeed(reader, bytes, len) != REDIS_OK || redisReaderGetReply(reader, &raw) != REDIS_OK) {
        set_message(message, message_len, reader->errstr[0] != '\0' ? reader->errstr : "protocol error");
        dbt_redis_status status = reader->err == REDIS_ERR_OOM ? DBT_REDIS_TOO_LARGE : DBT_REDIS_FAILED;
        redisReaderFree(reader);
        return status;
    }
    redisReaderFree(reader);
    if (raw == NULL) {
        set_message(message, message_len, "incomplete reply");
        return DBT_REDIS_FAILED;
    }
    return take_reply(raw, out, message, message_len);
}

void dbt_redis_reply_free(dbt_redis_reply *reply) {
    if (reply == NULL) return;
    free(reply->values);
    if (reply->owner != NULL) freeReplyObject(reply->owner);
    memset(reply, 0, sizeof *reply);
}
