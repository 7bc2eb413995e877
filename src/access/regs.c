/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Register operations: the access helpers every layout table shares, and the access function over windows. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../decode/config.h"
#include "transport.h"

void vq_regs_init(struct vq_regs *r, const struct vq_reg_ops *ops, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->ops = ops;
	r->io = vq_regs_win_io;
	r->err = err;
	r->errlen = errlen;
}

int vq_regs_win_io(struct vq_regs *r, enum vq_reg_space space, uint64_t off, unsigned width,
		   uint64_t *v, int write)
{
	struct vq_regwin *w = space < VQ_RS_N ? r->win[space] : NULL;

	if (!w) {
		snprintf(r->err, r->errlen, "register structure %d is not open", (int)space);
		return -ENODEV;
	}
	if (write)
		return vq_regwin_write(w, off, width, *v, r->err, r->errlen);
	return vq_regwin_read(w, off, width, v, r->err, r->errlen);
}

int vq_regs_rd(struct vq_regs *r, enum vq_reg_space space, uint64_t off, unsigned width,
	       uint64_t *v)
{
	*v = 0;
	return r->io(r, space, off, width, v, 0);
}

int vq_regs_wr(struct vq_regs *r, enum vq_reg_space space, uint64_t off, unsigned width,
	       uint64_t v)
{
	return r->io(r, space, off, width, &v, 1);
}

int vq_regs_read_config(struct vq_regs *r, enum vq_reg_space space, uint64_t at,
			uint32_t device_id, unsigned off, uint8_t *buf, unsigned len)
{
	unsigned i = 0, width, k;
	uint64_t v;
	int ret;

	while (i < len) {
		/* Each field with its own width (4.1.3.1, 4.2.2.2): a wider
		 * access can reach past what the device implements (QEMU then
		 * answers all ones), a narrower one may tear a field. */
		width = vq_config_access_width(device_id, off ? NULL : buf, (size_t)off + i);
		if (width > len - i)
			width = 1; /* a field cut by @len: what is asked for, by bytes */
		ret = vq_regs_rd(r, space, at + off + i, width, &v);
		if (ret)
			return ret;
		for (k = 0; k < width; k++)
			buf[i + k] = (uint8_t)(v >> (8 * k));
		i += width;
	}
	return 0;
}

void vq_regs_close(struct vq_regs *r)
{
	unsigned i;

	for (i = 0; i < VQ_RS_N; i++)
		if (r->win[i])
			vq_regwin_close(r->win[i]);
}
