"""Emulator of the Salesforce REST API (v59.0) used by the crm-bridge sandbox.

Modules: ``schema``/``objects`` (sObject field definitions and describe), ``store`` (records,
recycle bin, cursors), ``soql_parser``/``soql_eval`` (SOQL subset), ``routes`` (HTTP handlers
mounted by the sandbox app) and ``seed`` (records from a generated World).
"""
