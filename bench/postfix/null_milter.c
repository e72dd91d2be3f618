/* The benchmark's baseline: a libmilter filter that looks at every stage of a message and accepts it
 * unchanged, as a typical filter registers its callbacks (no DATA callback, Nagle left on). What it costs is
 * what any libmilter filter costs; bench/postfix/run.py compares preflightd with it.
 * Usage: null_milter inet:PORT@127.0.0.1 | unix:/path */
#include <libmilter/mfapi.h>
#include <stdio.h>

static sfsistat next(SMFICTX *ctx) { (void)ctx; return SMFIS_CONTINUE; }
static sfsistat on_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr) { (void)host; (void)addr; return next(ctx); }
static sfsistat on_address(SMFICTX *ctx, char **argv) { (void)argv; return next(ctx); }
static sfsistat on_header(SMFICTX *ctx, char *name, char *value) { (void)name; (void)value; return next(ctx); }
static sfsistat on_body(SMFICTX *ctx, unsigned char *chunk, size_t len) { (void)chunk; (void)len; return next(ctx); }
static sfsistat on_eom(SMFICTX *ctx) { (void)ctx; return SMFIS_ACCEPT; }

int main(int argc, char **argv) {
  struct smfiDesc desc = {0};
  if (argc != 2) {
    fprintf(stderr, "usage: %s inet:PORT@HOST|unix:PATH\n", argv[0]);
    return 64;
  }
  desc.xxfi_name = "null";
  desc.xxfi_version = SMFI_VERSION;
  desc.xxfi_connect = on_connect;
  desc.xxfi_envfrom = on_address;
  desc.xxfi_envrcpt = on_address;
  desc.xxfi_header = on_header;
  desc.xxfi_eoh = next;
  desc.xxfi_body = on_body;
  desc.xxfi_eom = on_eom;
  if (smfi_setconn(argv[1]) == MI_FAILURE || smfi_register(desc) == MI_FAILURE || smfi_opensocket(1) == MI_FAILURE) {
    fprintf(stderr, "null_milter: cannot listen on %s\n", argv[1]);
    return 1;
  }
  return smfi_main() == MI_SUCCESS ? 0 : 1;
}
