/**
 * The registry's access log, parsed.
 *
 * <p>Docker Distribution 2.8 wraps its handler in gorilla/handlers' {@code CombinedLoggingHandler}
 * writing to <b>stdout</b> (application logs go to stderr). One line per request, Apache combined
 * format with Go-style escaping inside the quotes:
 * <pre>
 * 127.0.0.1 - - [22/Nov/2026:04:51:41 +0000] "GET /v2/?a=b HTTP/1.1" 200 2 "" "my \"agent\""
 * </pre>
 * Fields: remote host (no port), {@code -}, user (only from a URL userinfo, so always {@code -}),
 * request start time, request line with the raw request URI, status, response bytes written by the
 * handler, referer, user agent. The line is written after the handler returns but before Go's
 * server flushes the last buffered bytes, so once a client has read a whole response its line is
 * in the pipe; {@link dev.damselfly.testkit.accesslog.AccessLog#sync()} relies on this.
 * Note HEAD entries report the size of the body the handler "wrote" (discarded by Go), so count
 * served bytes over GET entries only.
 */
package dev.damselfly.testkit.accesslog;
