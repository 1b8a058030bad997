"""Typed keys for what the gateway keeps in its ``web.Application`` (no module globals)."""

from __future__ import annotations

from typing import Callable

import aiohttp
from aiohttp import web

from sqlalchemy.orm import sessionmaker

from bot.config import GatewayConfig
from bot.passages import SourceIndex
from bot.ratelimit import RateLimiter
from bot.rasa_client import RasaClient
from bot.sessions import SessionManager
from bot.staff.auth import StaffSessions
from bot.staff.search import SearchIndex
from bot.turns import TurnMemory
from core.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
CONFIG = web.AppKey("config", GatewayConfig)
CLOCK = web.AppKey("clock", Callable[[], float])
SESSIONS = web.AppKey("sessions", SessionManager)
LIMITER = web.AppKey("limiter", RateLimiter)
HTTP = web.AppKey("http", aiohttp.ClientSession)
RASA = web.AppKey("rasa", RasaClient)
# The database session factory (None until ``database_ctx`` has opened the engine).
DB = web.AppKey("db", sessionmaker)
TURNS = web.AppKey("turns", TurnMemory)
STAFF_SESSIONS = web.AppKey("staff_sessions", StaffSessions)
SEARCH = web.AppKey("search", SearchIndex)
SOURCES = web.AppKey("sources", SourceIndex)
# The Redis client of shared gateway state (only with REDIS_URL; see bot/redis_state.py).
REDIS = web.AppKey("redis", object)
