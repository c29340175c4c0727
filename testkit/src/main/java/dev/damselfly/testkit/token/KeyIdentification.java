package dev.damselfly.testkit.token;

/** How a token's JWS header tells Distribution which key signed it. */
public enum KeyIdentification {
    /**
     * {@code x5c}: the signing (leaf) certificate, issued by the root in the registry's
     * {@code rootcertbundle}. The default.
     */
    X5C,
    /**
     * {@code kid}: the libtrust key id of the root certificate's key; the token is signed with the
     * root key itself.
     */
    KID
}
