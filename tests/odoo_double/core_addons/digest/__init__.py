# TEST FIXTURE: no code, see __manifest__.py
