"""The service directory (服务机构名录, issue 23 §5): agencies listed under a verified legal
person, searchable by the public, suspended by the registry; service requests from holders."""
