"""Beredningsboten: sourced answers about the trygghets- och delaktighetsberedning."""

from bot.numeric import set_threads

set_threads()  # before anything imports numpy (see bot.numeric)
