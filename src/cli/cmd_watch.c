/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `watch`: placeholder until the command lands. */
#include "cli.h"

const struct option vq_watch_options[] = {
	{ NULL, 0, NULL, 0 },
};

int vq_cmd_watch(struct vq_ctx *ctx, int argc, char **argv)
{
	const struct vq_cmd *cmd = vq_find_cmd("watch");
	int c, handled;

	while ((c = vq_cmd_getopt(ctx, cmd, argc, argv, NULL, &handled)) != -1) {
		if (handled == 2)
			return EXIT_OK;
		if (handled == 3)
			return EXIT_USAGE;
	}
	vq_err("watch: not implemented yet");
	return EXIT_USAGE;
}
