// SPDX-License-Identifier: MIT
/* libFuzzer harness for the netlink parsers: the input is split into datagrams fed in
 * order to one GET_DEVICE dump, then handed whole to the link and family parsers.
 * Build: clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *        tests/fuzz/fuzz_netlink.c src/netlink.c src/source_netlink_parse.c src/wg.c src/util.c */
#include <stdint.h>
#include <string.h>

#include "endpoint.h"
#include "source_netlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wgnl_dump d = { .seq = 7, .portid = 1234, .family = 0x1a };
	struct wg_device dev = { .name = "wg0" };
	struct wgnl_link l;
	uint16_t fam;
	size_t off = 0;
	/* Two-byte length prefixes cut the input into datagrams. */
	while (size - off >= 2 && !d.st.done) {
		size_t n = (size_t)data[off] | (size_t)data[off + 1] << 8;
		off += 2;
		if (n > size - off)
			n = size - off;
		if (wgnl_parse_device_msgs(data + off, n, &d, &dev) < 0)
			break;
		off += n;
	}
	char ep[WG_ENDPOINT_SIZE];
	for (size_t i = 0; i < dev.npeers; i++)
		if (strnlen(endpoint_format(ep, &dev.peers[i].endpoint), sizeof ep) == sizeof ep)
			__builtin_trap();   /* its text must always be terminated */
	wg_device_clear(&dev);
	(void)wgnl_parse_link(data, size, &l);
	(void)wgnl_parse_family(data, size, &fam);
	return 0;
}
