"""crm_bridge.connectors"""
