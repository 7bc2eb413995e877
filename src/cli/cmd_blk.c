/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `blk`: placeholder until the command lands. */
#include "cli.h"

const struct option vq_blk_options[] = {
	{ NULL, 0, NULL, 0 },
};

int vq_cmd_blk(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *cmd = vq_find_cmd("blk");
	int c, handled;

	while ((c = vq_cmd_getopt(ctx, cmd, argc, argv, NULL, &handled)) != -1) {
		if (handled == 2)
			return EXIT_OK;
		if (handled == 3)
			return EXIT_USAGE;
	}
	vq_err("blk: not implemented yet");
	return EXIT_USAGE;
}
