/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `mem`: hex dump of guest-physical memory. */
#include <errno.h>
#include <stdlib.h>

#include "../model/hex.h"
#include "cli.h"

const struct vq_opt vq_mem_options[] = {
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* Larger dumps are a job for dd on a raw image, not a terminal. */
#define MEM_MAX (16u << 20)

/* @len bytes at @addr as one JSON object (addr, len, hex); 0 or -ENOMEM. */
static int print_json(uint64_t addr, const uint8_t *buf, uint64_t len)
{
	struct json_object *o = json_object_new_object();
	char *hex = malloc(2 * len + 1);

	if (!o || !hex) {
		json_object_put(o);
		free(hex);
		return -ENOMEM;
	}
	vq_hex_encode(buf, len, hex);
	json_object_object_add(o, "addr", json_object_new_uint64(addr));
	json_object_object_add(o, "len", json_object_new_uint64(len));
	json_object_object_add(o, "hex", json_object_new_string(hex));
	vq_json_print(o);
	free(hex);
	return 0;
}

/* hexdump -C's layout: address, 16 bytes in two groups, printable ASCII. */
static void print_text(uint64_t addr, const uint8_t *buf, uint64_t len)
{
	uint64_t i, j;

	for (i = 0; i < len; i += 16) {
		printf("%016llx ", (unsigned long long)(addr + i));
		for (j = 0; j < 16; j++) {
			if (i + j < len)
				printf("%s%02x", j == 8 ? "  " : " ", buf[i + j]);
			else
				printf("%s  ", j == 8 ? "   " : " ");
		}
		printf("  |");
		for (j = 0; j < 16 && i + j < len; j++)
			putchar(buf[i + j] >= 0x20 && buf[i + j] < 0x7f ? buf[i + j] : '.');
		puts("|");
	}
}

/* @len bytes at @addr of the source into a new *@buf: 0, or the exit
 * status after printing the error. */
static int read_mem(struct vq_ctx *ctx, uint64_t addr, uint64_t len, uint8_t **buf)
{
	int ret = vq_ctx_open_mem(ctx);

	if (ret)
		return ret;
	*buf = malloc(len);
	if (!*buf) {
		vq_err("mem: out of memory");
		return EXIT_ACCESS;
	}
	if (vq_fetch(&ctx->sess.fetch, addr, *buf, len, "memory") < 0) {
		vq_err("%s", ctx->sess.mem.err);
		free(*buf);
		return EXIT_ACCESS;
	}
	return 0;
}

int vq_cmd_mem(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *cmd = vq_find_cmd("mem");
	uint64_t addr, len;
	uint8_t *buf;
	int ret;

	while (vq_cmd_getopt(cmd, argc, argv) != -1)
		; /* none of its own: this only moves optind to the arguments */
	if (argc - optind != 2)
		return vq_usage_err("mem", "give ADDR and LEN");
	if (vq_parse_u64(argv[optind], &addr))
		return vq_usage_err("mem", "bad address '%s'", argv[optind]);
	if (vq_parse_u64(argv[optind + 1], &len) || !len || len > MEM_MAX)
		return vq_usage_err("mem", "LEN must be 1 to %u bytes, not '%s'", MEM_MAX,
				    argv[optind + 1]);
	ret = read_mem(ctx, addr, len, &buf);
	if (ret)
		return ret;
	if (!ctx->json)
		print_text(addr, buf, len);
	else if (print_json(addr, buf, len) < 0) {
		vq_err("mem: out of memory");
		ret = EXIT_ACCESS;
	}
	free(buf);
	return ret;
}
