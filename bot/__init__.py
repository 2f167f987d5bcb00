"""Beredningsboten: sourced answers about Huddinge kommun's trygghets- och delaktighetsberedning."""
