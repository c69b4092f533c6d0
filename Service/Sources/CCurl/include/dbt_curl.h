#ifndef DBT_CURL_H
#define DBT_CURL_H

#include <stddef.h>

/* A thin adapter over libcurl's blocking easy interface (Debian libcurl4-openssl-dev): one SMTP submission and one
   HTTP POST, each a single blocking call with connect and total timeouts, certificate checks always on, redirects
   off and the protocols limited to the ones asked for. libcurl's option calls are variadic, which Swift cannot
   call, so the option sequence lives here; what a result means (retry, give up, which error) is decided in Swift.
   Every call blocks its thread: run them on dedicated threads, never on an event loop. */

/* How the SMTP connection is protected. The values are part of the Swift ABI: keep them stable. */
typedef enum {
    /* Plain SMTP; STARTTLS is never tried. */
    DBT_SMTP_TLS_NONE = 0,
    /* STARTTLS when the server offers it, plain otherwise. */
    DBT_SMTP_TLS_OPTIONAL = 1,
    /* STARTTLS, or the submission fails before any mail command (RFC 3207). */
    DBT_SMTP_TLS_REQUIRED = 2,
    /* TLS from the first byte (smtps://, RFC 8314 §3.3). */
    DBT_SMTP_TLS_IMPLICIT = 3,
} dbt_smtp_tls;

/* One message to submit. Strings are NUL-terminated; `host` is a name or an address literal (IPv6 in brackets). */
typedef struct {
    const char *host;
    int port;
    dbt_smtp_tls tls;
    /* PEM file of the certificate authorities to trust; NULL for the system's bundle. */
    const char *ca_file;
    /* Both NULL for no AUTH; both set for AUTH (libcurl picks the strongest mechanism the server offers). */
    const char *username;
    const char *password;
    /* The name this client gives in EHLO; NULL for libcurl's default. */
    const char *client_name;
    /* The envelope: the reverse path and the forward paths, bare addresses (no angle brackets). */
    const char *mail_from;
    const char *const *recipients;
    size_t recipient_count;
    /* The whole RFC 5322 message, CRLF line endings; libcurl dot-stuffs it (RFC 5321 §4.5.2). */
    const unsigned char *message;
    size_t message_len;
    long connect_timeout_ms;
    long total_timeout_ms;
} dbt_smtp_request;

/* One HTTP POST. Headers are complete "Name: value" lines without line endings. */
typedef struct {
    const char *url;
    /* Nonzero to accept http:// as well as https:// (the caller allows it only for loopback addresses). */
    int allow_plain_http;
    const char *ca_file;
    const char *const *headers;
    size_t header_count;
    const unsigned char *body;
    size_t body_len;
    long connect_timeout_ms;
    long total_timeout_ms;
    /* The response body is read and dropped; more than this many bytes ends the call with an error. */
    size_t max_response_bytes;
} dbt_http_request;

/* How a call ended. `curl_code` is libcurl's CURLcode (0 for success); `response_code` is the last SMTP reply code
   or the HTTP status (0 when none arrived); `message` is libcurl's own description (never a credential or the
   message body), always NUL-terminated. */
typedef struct {
    int curl_code;
    long response_code;
    char message[256];
} dbt_curl_outcome;

/* libcurl's CURLcode values the Swift side tells apart. */
enum {
    DBT_CURLE_OK = 0,
    DBT_CURLE_UNSUPPORTED_PROTOCOL = 1,
    DBT_CURLE_URL_MALFORMAT = 3,
    DBT_CURLE_COULDNT_RESOLVE_HOST = 6,
    DBT_CURLE_COULDNT_CONNECT = 7,
    DBT_CURLE_WEIRD_SERVER_REPLY = 8,
    DBT_CURLE_WRITE_ERROR = 23,
    DBT_CURLE_OUT_OF_MEMORY = 27,
    DBT_CURLE_OPERATION_TIMEDOUT = 28,
    DBT_CURLE_SSL_CONNECT_ERROR = 35,
    DBT_CURLE_SEND_ERROR = 55,
    DBT_CURLE_RECV_ERROR = 56,
    DBT_CURLE_SSL_CERTPROBLEM = 58,
    DBT_CURLE_PEER_FAILED_VERIFICATION = 60,
    DBT_CURLE_USE_SSL_FAILED = 64,
    DBT_CURLE_LOGIN_DENIED = 67,
    DBT_CURLE_SSL_CACERT_BADFILE = 77,
};

/* Initializes libcurl once per process (thread-safe; later calls return the first result). Returns a CURLcode. */
int dbt_curl_global_init(void);

/* Blocks SIGPIPE on the calling thread: OpenSSL writes to a socket the peer closed would otherwise raise it and, by
   default, end the process. Call it once on each thread that runs the calls below. */
void dbt_curl_block_sigpipe(void);

/* Submits one message: connect, EHLO, STARTTLS as `tls` says, AUTH when credentials are given, MAIL FROM, RCPT TO
   for each recipient (all must be accepted), DATA, QUIT. Fills *outcome. */
void dbt_curl_smtp_send(const dbt_smtp_request *request, dbt_curl_outcome *outcome);

/* Sends one POST without following redirects. Fills *outcome; a non-2xx status is a completed call (curl_code 0)
   whose response_code says what the server answered. */
void dbt_curl_http_post(const dbt_http_request *request, dbt_curl_outcome *outcome);

/* libcurl's version string ("libcurl/7.88.1 OpenSSL/3.0.…"), for logs and the documentation of a run. */
const char *dbt_curl_version(void);

#endif
