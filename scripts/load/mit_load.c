/* mit_load.c - MIT krb5's own client doing the same work as examples/load.rs, for comparison:
 * N times, a TGT from a keytab (krb5_get_init_creds_keytab) and a service ticket
 * (krb5_get_credentials), in one process. Prints exchanges/s and CPU time per exchange.
 * Usage: mit_load N KEYTAB PRINCIPAL SPN   (KRB5_CONFIG selects the realm) */
#include <krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double cpu(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_utime.tv_sec + r.ru_stime.tv_sec + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

static double wall(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

#define CHECK(call) do { krb5_error_code c_ = (call); if (c_) { \
    fprintf(stderr, "mit_load: %s: %s\n", #call, krb5_get_error_message(ctx, c_)); return 1; } } while (0)

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: mit_load N KEYTAB PRINCIPAL SPN\n"); return 2; }
    int n = atoi(argv[1]);
    krb5_context ctx;
    if (krb5_init_context(&ctx)) return 1;
    krb5_principal client, server;
    krb5_keytab kt;
    CHECK(krb5_parse_name(ctx, argv[3], &client));
    CHECK(krb5_parse_name(ctx, argv[4], &server));
    CHECK(krb5_kt_resolve(ctx, argv[2], &kt));
    double c0 = cpu(), w0 = wall();
    int ok = 0;
    for (int i = 0; i < n; i++) {
        krb5_creds tgt, in, *out = NULL;
        krb5_ccache cc;
        memset(&tgt, 0, sizeof tgt);
        memset(&in, 0, sizeof in);
        CHECK(krb5_get_init_creds_keytab(ctx, &tgt, client, kt, 0, NULL, NULL));
        CHECK(krb5_cc_new_unique(ctx, "MEMORY", NULL, &cc));
        CHECK(krb5_cc_initialize(ctx, cc, client));
        CHECK(krb5_cc_store_cred(ctx, cc, &tgt));
        in.client = client;
        in.server = server;
        CHECK(krb5_get_credentials(ctx, 0, cc, &in, &out));
        ok++;
        krb5_free_creds(ctx, out);
        krb5_free_cred_contents(ctx, &tgt);
        krb5_cc_destroy(ctx, cc);
    }
    double w = wall() - w0, c = cpu() - c0;
    printf("MIT krb5 load: %d/%d AS+TGS exchanges ok, 1 process, %.2f s, %.0f exchanges/s, %.0f us CPU per exchange\n",
           ok, n, w, ok / w, c * 1e6 / (ok ? ok : 1));
    return ok == n ? 0 : 1;
}
