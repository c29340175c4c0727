/**
 * Our own Docker bearer-token server for a real Distribution 2.8 registry configured with
 * {@code auth.token}.
 *
 * <p>What Distribution 2.8 ({@code registry/auth/token}) checks, and therefore what this server
 * produces:
 * <ul>
 *   <li>JWS compact form, header {@code {"typ":"JWT","alg":"ES256", ...}} with either {@code x5c}
 *       (a certificate chain, standard base64 DER, leaf first, verified against the
 *       {@code rootcertbundle} PEM file) or {@code kid} (the libtrust fingerprint of a root
 *       certificate's public key: SHA-256 of the DER SubjectPublicKeyInfo, first 30 bytes, base32
 *       without padding, 12 groups of 4 joined by {@code :}); ES256 signatures are raw
 *       {@code r||s} (64 bytes), not DER;</li>
 *   <li>{@code iss} must equal the registry's {@code issuer}; {@code aud} must be a JSON
 *       <b>string</b> equal to its {@code service} (an array is a malformed token);</li>
 *   <li>{@code exp} and {@code nbf} are checked with a fixed leeway of 60 s ({@code Leeway}), so a
 *       token is rejected only once {@code now > exp + 60 s};</li>
 *   <li>{@code access} is a list of {@code {type, name, actions}}; every requested action must be
 *       present (otherwise 401 with {@code error="insufficient_scope"}).</li>
 * </ul>
 * A rejected token yields 401 with
 * {@code WWW-Authenticate: Bearer realm="...",service="...",scope="...",error="invalid_token"}.
 */
package dev.damselfly.testkit.token;
