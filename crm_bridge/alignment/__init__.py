"""crm_bridge.alignment"""
