/* The CLI's fetch: libcurl easy interface, TLS verified, bounded in size, time and redirects,
 * each chunk handed on as it arrives so parsing starts before the body ends. */
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "urlget.h"

struct urlget_state {
	urlget_cb cb;
	void *arg;
	size_t got, max;
	int aborted, too_big;
};

int
urlget_is_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0 ||
	    strncasecmp(s, "file://", 7) == 0;
}

static size_t
urlget_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct urlget_state *st = arg;
	size_t len = size * nmemb;

	if (st->got + len > st->max) {
		st->too_big = 1;
		return 0;
	}
	st->got += len;
	if (st->cb(data, len, st->arg) != 0) {
		st->aborted = 1;
		return 0;
	}
	return len;
}

int
urlget_fetch(
    const char *url, const struct urlget_opts *o, urlget_cb cb, void *arg, struct rw_error *err)
{
	struct urlget_state st = {cb, arg, 0, o->max_bytes, 0, 0};
	char ebuf[CURL_ERROR_SIZE] = "";
	CURL *c;
	CURLcode rc;
	long status = 0;

	if ((c = curl_easy_init()) == NULL) {
		rw_error_set(err, url, 0, 0, "cannot initialise libcurl");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_s > 0 ? o->timeout_s : 300L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding curl can undo */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->cafile != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->cafile);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "recruitwatch/0.1 (+https://recruitwatch.invalid)");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, urlget_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (st.aborted)
		return -1; /* the callback filled err */
	if (st.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		rw_error_set(
		    err, url, 0, 0, "body larger than the limit of %zu bytes", o->max_bytes);
		return -1;
	}
	if (rc != CURLE_OK) {
		rw_error_set(err, url, 0, 0, "%s", ebuf[0] != '\0' ? ebuf : curl_easy_strerror(rc));
		return -1;
	}
	if (status >= 400) {
		rw_error_set(err, url, 0, 0, "HTTP status %ld", status);
		return -1;
	}
	return 0;
}
