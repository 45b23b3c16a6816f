"""Electronic certificates (登记证书, G§17, R13, R24): W3C Verifiable Credentials 2.0 secured
as `vc+jwt`, issuer keys and JWKS, offline verification. Pure: no database, no web."""
