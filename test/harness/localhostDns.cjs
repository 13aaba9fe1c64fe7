'use strict';
/**
 * Resolves every `*.localhost` name to 127.0.0.1 in this process, as RFC 6761 says it should and as
 * browsers do; glibc only knows the names in /etc/hosts. Redirect tests need subdomains and other hosts
 * of a local team (`x.team.localhost`). Plain CommonJS so that the real n8n process can preload it too
 * (test/e2e/localhostDns.preload.cjs).
 */
const dns = require('node:dns');

const LOCALHOST_SUBDOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.localhost\.?$/i;

/** Patches `dns.lookup` (which `net.connect` reads on every connection); returns the function that undoes it. */
function install() {
	const original = dns.lookup;
	function lookup(hostname, options, callback) {
		const done = typeof options === 'function' ? options : callback;
		const opts = typeof options === 'object' && options !== null ? options : {};
		if (typeof hostname !== 'string' || !LOCALHOST_SUBDOMAIN.test(hostname))
			return original.call(dns, hostname, options, callback);
		const address = { address: '127.0.0.1', family: 4 };
		process.nextTick(() =>
			opts.all ? done(null, [address]) : done(null, address.address, address.family),
		);
		return {};
	}
	dns.lookup = lookup;
	return () => {
		if (dns.lookup === lookup) dns.lookup = original;
	};
}

module.exports = { install };
