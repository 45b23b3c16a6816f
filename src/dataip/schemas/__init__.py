"""Request schemas shared by every surface: the API's request bodies, the portal's forms
(parsed into the same models) and the services that build a form themselves (a change
registration's form is the registered form with the change applied, and must pass exactly
what an application form passes).

pydantic models, imported by `web` and — for the application form only, through
`application_form.validate_form`, which speaks `DomainError` — by `services`. Pure: no HTTP,
no database.
"""
