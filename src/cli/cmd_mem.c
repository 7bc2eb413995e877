/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `mem`: hex dump of guest-physical memory. */
#include <stdlib.h>

#include "cli.h"

const struct vq_opt vq_mem_options[] = {
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* Larger dumps are a job for dd on a raw image, not a terminal. */
#define MEM_MAX (16u << 20)

int vq_cmd_mem(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *cmd = vq_find_cmd("mem");
	uint64_t addr, len, i;
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
	ret = vq_ctx_open_mem(ctx);
	if (ret)
		return ret;
	buf = malloc(len);
	if (!buf) {
		vq_err("mem: out of memory");
		return EXIT_ACCESS;
	}
	if (vq_fetch(&ctx->sess.fetch, addr, buf, len, "memory") < 0) {
		vq_err("%s", ctx->sess.mem.err);
		free(buf);
		return EXIT_ACCESS;
	}
	if (ctx->json) {
		struct json_object *o = json_object_new_object();
		char *hex = malloc(2 * len + 1);

		if (!hex) {
			free(buf);
			json_object_put(o);
			vq_err("mem: out of memory");
			return EXIT_ACCESS;
		}
		for (i = 0; i < len; i++)
			snprintf(hex + 2 * i, 3, "%02x", buf[i]);
		json_object_object_add(o, "addr", json_object_new_uint64(addr));
		json_object_object_add(o, "len", json_object_new_uint64(len));
		json_object_object_add(o, "hex", json_object_new_string(hex));
		vq_json_print(o);
		free(hex);
	} else {
		for (i = 0; i < len; i += 16) {
			uint64_t j;

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
	free(buf);
	return EXIT_OK;
}
