/* rw_loadgen: a load generator for the HTTP API benchmark. One process, no threads: libcurl's
 * multi interface keeps CONCURRENCY requests in flight until N have completed, then prints
 * throughput, latency percentiles and errors. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/stdlib.h>
#include <curl/curl.h>

struct slot {
	CURL *h;
	double start;
	int busy;
};

struct load {
	const char *url;
	const char *body; /* NULL: GET */
	size_t bodylen;
	struct curl_slist *headers;
	const char *cacert;
	long n, started, done;
	double *lat; /* seconds, one per completed request */
	long ok, http_errors, transport_errors;
	long status_seen[6];
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long sz;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)sz + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)sz, f);
		if (*len != (size_t)sz) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

static int
start_one(CURLM *m, struct load *l, struct slot *s)
{
	curl_easy_reset(s->h);
	curl_easy_setopt(s->h, CURLOPT_URL, l->url);
	curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, l->headers);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
	curl_easy_setopt(s->h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
	if (l->cacert != NULL)
		curl_easy_setopt(s->h, CURLOPT_CAINFO, l->cacert);
	if (l->body != NULL) {
		curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, l->body);
		curl_easy_setopt(s->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)l->bodylen);
	}
	s->start = now_s();
	s->busy = 1;
	l->started++;
	return curl_multi_add_handle(m, s->h) == CURLM_OK ? 0 : -1;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of the sorted latencies. */
static double
pct(const double *v, long n, double p)
{
	long k;

	if (n == 0)
		return 0;
	k = (long)(p / 100.0 * (double)n + 0.999999) - 1;
	if (k < 0)
		k = 0;
	if (k >= n)
		k = n - 1;
	return v[k];
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: rw_loadgen [-n N] [-c CONCURRENCY] [-H HEADER]... [-d @FILE] "
	    "[--cacert FILE] [-l LABEL] URL\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {{"cacert", required_argument, NULL, 'C'},
	    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct load l;
	struct slot *slots;
	const char *errstr, *label = NULL;
	long conc = 8, i;
	double t0, t1, sum = 0;
	CURLM *m;
	int ch, running, rc = 0;

	memset(&l, 0, sizeof(l));
	l.n = 1000;
	while ((ch = getopt_long(argc, argv, "n:c:H:d:l:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			l.n = (long)strtonum(optarg, 1, 100000000, &errstr);
			if (errstr != NULL) {
				fprintf(stderr, "rw_loadgen: -n %s: %s\n", optarg, errstr);
				return 2;
			}
			break;
		case 'c':
			conc = (long)strtonum(optarg, 1, 10000, &errstr);
			if (errstr != NULL) {
				fprintf(stderr, "rw_loadgen: -c %s: %s\n", optarg, errstr);
				return 2;
			}
			break;
		case 'H':
			l.headers = curl_slist_append(l.headers, optarg);
			break;
		case 'd':
			if (optarg[0] != '@' ||
			    (l.body = read_file(optarg + 1, &l.bodylen)) == NULL) {
				fprintf(
				    stderr, "rw_loadgen: -d %s: cannot read (use @FILE)\n", optarg);
				return 2;
			}
			break;
		case 'l':
			label = optarg;
			break;
		case 'C':
			l.cacert = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage();
		return 2;
	}
	l.url = argv[optind];
	if (conc > l.n)
		conc = l.n;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (l.lat = calloc((size_t)l.n, sizeof(double))) == NULL ||
	    (slots = calloc((size_t)conc, sizeof(*slots))) == NULL ||
	    (m = curl_multi_init()) == NULL) {
		fprintf(stderr, "rw_loadgen: out of memory\n");
		return 2;
	}
	/* Each handle keeps its connection alive between requests, as a client pool would. */
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, conc);
	for (i = 0; i < conc; i++)
		if ((slots[i].h = curl_easy_init()) == NULL) {
			fprintf(stderr, "rw_loadgen: out of memory\n");
			return 2;
		}
	t0 = now_s();
	for (i = 0; i < conc; i++)
		start_one(m, &l, &slots[i]);
	while (l.done < l.n) {
		CURLMsg *msg;
		int left;

		if (curl_multi_perform(m, &running) != CURLM_OK) {
			fprintf(stderr, "rw_loadgen: curl_multi_perform failed\n");
			rc = 2;
			break;
		}
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct slot *s;
			long status = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
			l.lat[l.done++] = now_s() - s->start;
			if (msg->data.result != CURLE_OK) {
				if (l.transport_errors++ == 0)
					fprintf(stderr, "rw_loadgen: %s\n",
					    curl_easy_strerror(msg->data.result));
			} else if (status >= 200 && status < 300)
				l.ok++;
			else
				l.http_errors++;
			if (status >= 100 && status < 600)
				l.status_seen[status / 100]++;
			curl_multi_remove_handle(m, s->h);
			s->busy = 0;
			if (l.started < l.n)
				start_one(m, &l, s);
		}
		if (l.done < l.n && curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK) {
			rc = 2;
			break;
		}
	}
	t1 = now_s();
	qsort(l.lat, (size_t)l.done, sizeof(double), cmp_double);
	for (i = 0; i < l.done; i++)
		sum += l.lat[i];
	printf("%-12s %ld requests, concurrency %ld, %.2f s: %.0f requests/s\n",
	    label != NULL ? label : l.url, l.done, conc, t1 - t0,
	    t1 > t0 ? (double)l.done / (t1 - t0) : 0.0);
	printf("%-12s latency ms: mean %.2f  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
	    label != NULL ? label : "", l.done > 0 ? sum / (double)l.done * 1e3 : 0.0,
	    pct(l.lat, l.done, 50) * 1e3, pct(l.lat, l.done, 90) * 1e3,
	    pct(l.lat, l.done, 99) * 1e3, l.done > 0 ? l.lat[l.done - 1] * 1e3 : 0.0);
	printf("%-12s ok %ld, HTTP errors %ld (4xx %ld, 5xx %ld), transport errors %ld\n",
	    label != NULL ? label : "", l.ok, l.http_errors, l.status_seen[4], l.status_seen[5],
	    l.transport_errors);
	for (i = 0; i < conc; i++)
		curl_easy_cleanup(slots[i].h);
	curl_multi_cleanup(m);
	curl_slist_free_all(l.headers);
	curl_global_cleanup();
	free(slots);
	free(l.lat);
	free((char *)l.body);
	return rc != 0 ? rc : (l.ok == l.n ? 0 : 1);
}
