package dev.damselfly.testkit.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Produces ES256 JWS compact serializations ({@code header.claims.signature}, base64url without
 * padding) with the header Distribution 2.8 expects for the chosen {@link KeyIdentification}.
 */
final class JwtSigner {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private final TokenSigningKeys keys;
    private final KeyIdentification identification;

    JwtSigner(TokenSigningKeys keys, KeyIdentification identification) {
        this.keys = keys;
        this.identification = identification;
    }

    String sign(ObjectNode claims) {
        ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "ES256");
        PrivateKey key;
        if (identification == KeyIdentification.X5C) {
            header.putArray("x5c").add(Base64.getEncoder().encodeToString(keys.leafCertificateDer()));
            key = keys.leafKeys().getPrivate();
        } else {
            header.put("kid", LibtrustKeyId.of(keys.rootCertificate().getPublicKey()));
            key = keys.rootKeys().getPrivate();
        }
        try {
            String signingInput = B64URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + B64URL.encodeToString(JSON.writeValueAsBytes(claims));
            // P1363 format = raw r||s (64 bytes), the JOSE encoding libtrust verifies.
            Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
            es256.initSign(key);
            es256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64URL.encodeToString(es256.sign());
        } catch (GeneralSecurityException | JsonProcessingException e) {
            throw new TokenServerException("cannot sign a token with " + identification, e);
        }
    }
}
