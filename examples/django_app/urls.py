from __future__ import annotations

from django.urls import path

from django_app import views

urlpatterns = [
    path("sellers", views.create_seller),
    path("sellers/<str:account>/onboard", views.onboard),
    path("sellers/<str:account>/return", views.came_back),
    path("webhooks", views.webhooks),
    path("events", views.events),
]
