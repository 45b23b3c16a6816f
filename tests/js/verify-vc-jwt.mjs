// Verify a vc+jwt with npm jose, a verifier written outside this project.
// usage: node verify-vc-jwt.mjs JWKS_FILE TOKEN_FILE
// prints the verified header and payload as JSON and exits 0, or prints the error and exits 1.
import { readFileSync } from "node:fs";
import { createLocalJWKSet, compactVerify } from "jose";

const [jwksFile, tokenFile] = process.argv.slice(2);
const jwks = createLocalJWKSet(JSON.parse(readFileSync(jwksFile, "utf8")));
const token = readFileSync(tokenFile, "utf8").trim();
try {
  const { payload, protectedHeader } = await compactVerify(token, jwks, {
    algorithms: ["EdDSA", "Ed25519"],
  });
  if (protectedHeader.typ !== "vc+jwt") throw new Error(`typ is ${protectedHeader.typ}`);
  const claims = JSON.parse(new TextDecoder().decode(payload));
  const issuer = typeof claims.issuer === "string" ? claims.issuer : claims.issuer.id;
  if (claims.iss !== issuer) throw new Error("iss differs from issuer");
  console.log(JSON.stringify({ header: protectedHeader, payload: claims }));
} catch (e) {
  console.error(`${e.code ?? "error"}: ${e.message}`);
  process.exit(1);
}
