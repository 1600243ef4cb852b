from crm_bridge.jobs.diff import Desired, diff, group_updates
from crm_bridge.model import RecordRef

SF = RecordRef("salesforce", "Lead", "00Q1")
HS = RecordRef("hubspot", "contacts", "7")


def test_only_real_differences_become_changes():
    d = Desired(SF, {"CRMB_Stage__c": "mql", "CRMB_Score__c": 3.0, "CRMB_Flag__c": None})
    d.want("CRMB_Stage__c", "mql", "lifecycle")
    d.want("CRMB_Score__c", 3, "score")
    d.want("CRMB_Flag__c", True, "stall")
    d.want("CRMB_Flag__c", False, "ignored: first reason wins")
    changes = diff(d)
    assert [(c.field, c.before, c.after, c.reason) for c in changes] == [
        ("CRMB_Flag__c", None, True, "stall")
    ]


def test_group_updates_merges_fields_per_record():
    a = Desired(SF, {})
    a.want("X", 1, "r")
    a.want("Y", 2, "r")
    b = Desired(HS, {"x": "1"})
    b.want("x", 1, "r")
    b.want("y", "v", "r")
    grouped = group_updates(diff(a) + diff(b))
    assert set(grouped) == {("salesforce", "Lead"), ("hubspot", "contacts")}
    assert grouped[("salesforce", "Lead")][0].fields == {"X": 1, "Y": 2}
    assert grouped[("hubspot", "contacts")][0].fields == {"y": "v"}
