/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The list of devices the transports fill; releasing it hands each device back to its transport. */
#include <stdlib.h>
#include <string.h>

#include "transport.h"

struct vq_dev *vq_dev_list_add(struct vq_dev_list *list)
{
	struct vq_dev *d;

	if (list->n == list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 8;
		struct vq_dev *p = realloc(list->devs, cap * sizeof(*p));

		if (!p)
			return NULL;
		list->devs = p;
		list->cap = cap;
	}
	d = &list->devs[list->n++];
	memset(d, 0, sizeof(*d));
	d->config_generation = -1;
	return d;
}

void vq_dev_list_free(struct vq_dev_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (list->devs[i].t && list->devs[i].t->release)
			list->devs[i].t->release(&list->devs[i]);
	free(list->devs);
	memset(list, 0, sizeof(*list));
}
