"""Beredningsboten: sourced answers about the trygghets- och delaktighetsberedning."""
