/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `snapshot`: placeholder until the command lands. */
#include "cli.h"

const struct option vq_snapshot_options[] = {
	{ NULL, 0, NULL, 0 },
};

int vq_cmd_snapshot(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *cmd = vq_find_cmd("snapshot");
	int c, handled;

	while ((c = vq_cmd_getopt(ctx, cmd, argc, argv, NULL, &handled)) != -1) {
		if (handled == 2)
			return EXIT_OK;
		if (handled == 3)
			return EXIT_USAGE;
	}
	vq_err("snapshot: not implemented yet");
	return EXIT_USAGE;
}
