-- Run once by the postgres image on an empty data directory (deploy/docker-compose.yml):
-- Rasa's tracker store gets its own database next to the app database.
CREATE DATABASE koege_rasa OWNER koege;
