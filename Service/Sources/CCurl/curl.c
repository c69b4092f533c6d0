#include "dbt_curl.h"

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* The header repeats the CURLcode values Swift tells apart, so that Swift never imports libcurl itself. */
_Static_assert(DBT_CURLE_UNSUPPORTED_PROTOCOL == CURLE_UNSUPPORTED_PROTOCOL, "CURLcode");
_Static_assert(DBT_CURLE_URL_MALFORMAT == CURLE_URL_MALFORMAT, "CURLcode");
_Static_assert(DBT_CURLE_COULDNT_RESOLVE_HOST == CURLE_COULDNT_RESOLVE_HOST, "CURLcode");
_Static_assert(DBT_CURLE_COULDNT_CONNECT == CURLE_COULDNT_CONNECT, "CURLcode");
_Static_assert(DBT_CURLE_WEIRD_SERVER_REPLY == CURLE_WEIRD_SERVER_REPLY, "CURLcode");
_Static_assert(DBT_CURLE_WRITE_ERROR == CURLE_WRITE_ERROR, "CURLcode");
_Static_assert(DBT_CURLE_OUT_OF_MEMORY == CURLE_OUT_OF_MEMORY, "CURLcode");
_Static_assert(DBT_CURLE_OPERATION_TIMEDOUT == CURLE_OPERATION_TIMEDOUT, "CURLcode");
_Static_assert(DBT_CURLE_SSL_CONNECT_ERROR == CURLE_SSL_CONNECT_ERROR, "CURLcode");
_Static_assert(DBT_CURLE_SEND_ERROR == CURLE_SEND_ERROR, "CURLcode");
_Static_assert(DBT_CURLE_RECV_ERROR == CURLE_RECV_ERROR, "CURLcode");
_Static_assert(DBT_CURLE_SSL_CERTPROBLEM == CURLE_SSL_CERTPROBLEM, "CURLcode");
_Static_assert(DBT_CURLE_PEER_FAILED_VERIFICATION == CURLE_PEER_FAILED_VERIFICATION, "CURLcode");
_Static_assert(DBT_CURLE_USE_SSL_FAILED == CURLE_USE_SSL_FAILED, "CURLcode");
_Static_assert(DBT_CURLE_LOGIN_DENIED == CURLE_LOGIN_DENIED, "CURLcode");
_Static_assert(DBT_CURLE_SSL_CACERT_BADFILE == CURLE_SSL_CACERT_BADFILE, "CURLcode");

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;

static void global_init_once(void) { global_result = curl_global_init(CURL_GLOBAL_DEFAULT); }

int dbt_curl_global_init(void) {
    pthread_once(&global_once, global_init_once);
    return (int)global_result;
}

void dbt_curl_block_sigpipe(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

const char *dbt_curl_version(void) { return curl_version(); }

static void set_message(dbt_curl_outcome *outcome, const char *text) {
    snprintf(outcome->message, sizeof outcome->message, "%s", text);
}

/* Fills the outcome from a finished transfer: libcurl's error buffer when it wrote one, its generic text else. */
static void finish(CURL *curl, CURLcode code, const char *error_buffer, dbt_curl_outcome *outcome) {
    long response_code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response_code);
    outcome->curl_code = (int)code;
    outcome->response_code = response_code;
    if (code == CURLE_OK) {
        outcome->message[0] = '\0';
    } else {
        set_message(outcome, error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code));
    }
}

/* Clears `outcome` and makes a handle; NULL, with the reason in `outcome`, when libcurl cannot start or allocate. */
static CURL *open_handle(dbt_curl_outcome *outcome) {
    memset(outcome, 0, sizeof *outcome);
    if (dbt_curl_global_init() != CURLE_OK) {
        outcome->curl_code = CURLE_FAILED_INIT;
        set_message(outcome, "libcurl could not be initialized");
        return NULL;
    }
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        outcome->curl_code = CURLE_OUT_OF_MEMORY;
        set_message(outcome, "libcurl could not make a handle");
    }
    return curl;
}

/* Options both calls share: no signals (threads), timeouts, certificate checks, the CA file. */
static CURLcode set_common(CURL *curl, char *error_buffer, const char *ca_file, long connect_ms, long total_ms) {
    CURLcode code = CURLE_OK;
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, total_ms);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (code == CURLE_OK && ca_file != NULL) code = curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file);
    return code;
}

/* The message handed to libcurl's upload, read in pieces. */
typedef struct {
    const unsigned char *bytes;
    size_t length;
    size_t offset;
} upload_source;

static size_t read_upload(char *buffer, size_t size, size_t count, void *context) {
    upload_source *source = context;
    size_t room = size * count;
    size_t left = source->length - source->offset;
    size_t n = left < room ? left : room;
    memcpy(buffer, source->bytes + source->offset, n);
    source->offset += n;
    return n;
}

void dbt_curl_smtp_send(const dbt_smtp_request *request, dbt_curl_outcome *outcome) {
    CURL *curl = open_handle(outcome);
    if (curl == NULL) return;
    char error_buffer[CURL_ERROR_SIZE];
    error_buffer[0] = '\0';

    /* The URL's path is the name given in EHLO (libcurl's SMTP URL scheme). */
    char url[1024];
    const int implicit = request->tls == DBT_SMTP_TLS_IMPLICIT;
    int written = snprintf(url, sizeof url, "%s://%s:%d/%s", implicit ? "smtps" : "smtp", request->host,
                           request->port, request->client_name != NULL ? request->client_name : "");
    struct curl_slist *recipients = NULL;
    CURLcode code = written > 0 && (size_t)written < sizeof url ? CURLE_OK : CURLE_URL_MALFORMAT;
    for (size_t i = 0; code == CURLE_OK && i < request->recipient_count; i++) {
        struct curl_slist *grown = curl_slist_append(recipients, request->recipients[i]);
        if (grown == NULL) code = CURLE_OUT_OF_MEMORY; else recipients = grown;
    }
    long use_ssl = CURLUSESSL_NONE;
    if (request->tls == DBT_SMTP_TLS_OPTIONAL) use_ssl = CURLUSESSL_TRY;
    if (request->tls == DBT_SMTP_TLS_REQUIRED || implicit) use_ssl = CURLUSESSL_ALL;
    upload_source source = {request->message, request->message_len, 0};

    if (code == CURLE_OK)
        code = set_common(curl, error_buffer, request->ca_file, request->connect_timeout_ms,
                          request->total_timeout_ms);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, implicit ? "smtps" : "smtp");
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_URL, url);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_USE_SSL, use_ssl);
    if (code == CURLE_OK && request->username != NULL && request->password != NULL) {
        code = curl_easy_setopt(curl, CURLOPT_USERNAME, request->username);
        if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_PASSWORD, request->password);
    }
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_MAIL_FROM, request->mail_from);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_READDATA, &source);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)request->message_len);
    if (code == CURLE_OK) code = curl_easy_perform(curl);

    finish(curl, code, error_buffer, outcome);
    curl_slist_free_all(recipients);
    curl_easy_cleanup(curl);
}

/* Counts the response body and drops it; past the bound, a short count makes libcurl stop with CURLE_WRITE_ERROR. */
typedef struct {
    size_t received;
    size_t limit;
} response_sink;

static size_t drop_response(char *data, size_t size, size_t count, void *context) {
    (void)data;
    response_sink *sink = context;
    size_t n = size * count;
    if (n > sink->limit - sink->received) return 0;
    sink->received += n;
    return n;
}

void dbt_curl_http_post(const dbt_http_request *request, dbt_curl_outcome *outcome) {
    CURL *curl = open_handle(outcome);
    if (curl == NULL) return;
    char error_buffer[CURL_ERROR_SIZE];
    error_buffer[0] = '\0';
    struct curl_slist *headers = NULL;
    CURLcode code = CURLE_OK;
    for (size_t i = 0; code == CURLE_OK && i < request->header_count; i++) {
        struct curl_slist *grown = curl_slist_append(headers, request->headers[i]);
        if (grown == NULL) code = CURLE_OUT_OF_MEMORY; else headers = grown;
    }
    response_sink sink = {0, request->max_response_bytes};

    if (code == CURLE_OK)
        code = set_common(curl, error_buffer, request->ca_file, request->connect_timeout_ms,
                          request->total_timeout_ms);
    if (code == CURLE_OK)
        code = curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, request->allow_plain_http ? "https,http" : "https");
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_URL, request->url);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_POST, 1L);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)request->body);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)request->body_len);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, drop_response);
    if (code == CURLE_OK) code = curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    if (code == CURLE_OK) code = curl_easy_perform(curl);

    finish(curl, code, error_buffer, outcome);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
}
